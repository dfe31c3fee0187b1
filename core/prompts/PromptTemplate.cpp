#include "PromptTemplate.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace sluice {

namespace {

struct Tag
{
    bool partial = false;
    QString reference; // partials
    TemplateVariable variable;
};

// One piece of a template: literal text, or a tag.
struct Piece
{
    QString literal;
    std::optional<Tag> tag;
};

const QStringList &types()
{
    static const QStringList known = {QStringLiteral("string"), QStringLiteral("number"), QStringLiteral("integer"),
                                      QStringLiteral("boolean"), QStringLiteral("json")};
    return known;
}

Result<Tag> parseTag(const QString &inside)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]*$"));
    Tag tag;
    const QString body = inside.trimmed();
    if (body.startsWith(QLatin1Char('>'))) {
        tag.partial = true;
        tag.reference = body.mid(1).trimmed();
        if (tag.reference.isEmpty())
            return makeError(QStringLiteral("The partial tag {{%1}} names no prompt; write {{> NAME}} or {{> "
                                            "NAME@LABEL}}.")
                                 .arg(inside));
        return tag;
    }
    QString declaration = body;
    const qsizetype equals = body.indexOf(QLatin1Char('='));
    if (equals >= 0) {
        declaration = body.left(equals).trimmed();
        QString value = body.mid(equals + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
            value = value.mid(1, value.size() - 2);
        tag.variable.hasDefault = true;
        tag.variable.defaultValue = value;
    }
    const qsizetype colon = declaration.indexOf(QLatin1Char(':'));
    tag.variable.name = (colon < 0 ? declaration : declaration.left(colon)).trimmed();
    if (colon >= 0)
        tag.variable.type = declaration.mid(colon + 1).trimmed();
    if (!namePattern.match(tag.variable.name).hasMatch())
        return makeError(QStringLiteral("{{%1}} is not a variable: a name starts with a letter or '_' and uses "
                                        "letters, digits, '_', '.' and '-' (write \\{{ for a literal \"{{\").")
                             .arg(inside));
    if (!types().contains(tag.variable.type))
        return makeError(QStringLiteral("Variable '%1' has the type '%2'; the types are %3.")
                             .arg(tag.variable.name, tag.variable.type, types().join(QStringLiteral(", "))));
    return tag;
}

Result<QList<Piece>> split(const QString &text)
{
    QList<Piece> pieces;
    QString literal;
    qsizetype at = 0;
    while (at < text.size()) {
        if (text.at(at) == QLatin1Char('\\') && QStringView(text).mid(at + 1).startsWith(QLatin1String("{{"))) {
            literal += QLatin1String("{{");
            at += 3;
            continue;
        }
        if (!QStringView(text).mid(at).startsWith(QLatin1String("{{"))) {
            literal += text.at(at++);
            continue;
        }
        const qsizetype close = text.indexOf(QLatin1String("}}"), at + 2);
        if (close < 0)
            return makeError(QStringLiteral("A tag opened with \"{{\" is not closed: \"%1\" (write \\{{ for a "
                                            "literal \"{{\").")
                                 .arg(text.mid(at, 40)));
        Result<Tag> tag = parseTag(text.mid(at + 2, close - at - 2));
        if (!tag)
            return tag.error();
        pieces.append({literal, std::nullopt});
        literal.clear();
        pieces.append({QString(), tag.value()});
        at = close + 2;
    }
    pieces.append({literal, std::nullopt});
    return pieces;
}

QStringList textsOf(const PromptContent &content)
{
    if (!content.isChat())
        return {content.text};
    QStringList texts;
    for (const PromptMessage &message : content.messages)
        texts.append(message.content);
    return texts;
}

QString jsonText(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

// The value as the variable's type writes it into the text.
Result<QString> formatValue(const TemplateVariable &variable, const QJsonValue &value)
{
    const auto wrongType = [&](const QString &expected) {
        return makeError(
            QStringLiteral("Variable '%1' is %2; got %3.").arg(variable.name, expected, jsonText(value).left(80)));
    };
    const QString &type = variable.type;
    if (type == QLatin1String("json"))
        return jsonText(value);
    if (type == QLatin1String("string")) {
        if (value.isString())
            return value.toString();
        if (value.isDouble() || value.isBool())
            return jsonText(value);
        return wrongType(QStringLiteral("a string"));
    }
    if (type == QLatin1String("boolean")) {
        if (value.isBool())
            return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        if (value.isString()
            && (value.toString() == QLatin1String("true") || value.toString() == QLatin1String("false")))
            return value.toString();
        return wrongType(QStringLiteral("a boolean (true or false)"));
    }
    double number = 0;
    bool ok = value.isDouble();
    if (ok)
        number = value.toDouble();
    else if (value.isString())
        number = value.toString().trimmed().toDouble(&ok);
    if (!ok)
        return wrongType(type == QLatin1String("integer") ? QStringLiteral("an integer") : QStringLiteral("a number"));
    if (type == QLatin1String("integer")) {
        if (number != double(qint64(number)))
            return wrongType(QStringLiteral("an integer"));
        return QString::number(qint64(number));
    }
    return QString::number(number, 'g', 15);
}

struct Renderer
{
    const QJsonObject &values;
    const PromptTemplate::PartialResolver &partials;
    QSet<QString> used;
    QStringList missing;
    QHash<QString, TemplateVariable> declared;
    QStringList stack; // partial references being rendered, for cycles

    Result<QString> render(const QString &text)
    {
        Result<QList<Piece>> pieces = split(text);
        if (!pieces)
            return pieces.error();
        QString out;
        for (const Piece &piece : pieces.value()) {
            out += piece.literal;
            if (!piece.tag)
                continue;
            const Tag &tag = *piece.tag;
            if (tag.partial) {
                Result<QString> included = renderPartial(tag.reference);
                if (!included)
                    return included.error();
                out += included.value();
                continue;
            }
            const TemplateVariable &variable = tag.variable;
            if (Result<void> consistent = declare(variable); !consistent)
                return consistent.error();
            used.insert(variable.name);
            if (values.contains(variable.name)) {
                Result<QString> formatted = formatValue(variable, values.value(variable.name));
                if (!formatted)
                    return formatted.error();
                out += formatted.value();
            } else if (const TemplateVariable &first = declared.value(variable.name); first.hasDefault) {
                out += first.defaultValue;
            } else if (!missing.contains(variable.name)) {
                missing.append(variable.name);
            }
        }
        return out;
    }

    Result<void> declare(const TemplateVariable &variable)
    {
        const auto it = declared.constFind(variable.name);
        if (it == declared.constEnd()) {
            declared.insert(variable.name, variable);
            return {};
        }
        // A later plain {{name}} refers to the declared one; a second declaration must agree with the first.
        const bool plain = variable.type == QLatin1String("string") && !variable.hasDefault;
        if (!plain
            && (it->type != variable.type || it->hasDefault != variable.hasDefault
                || it->defaultValue != variable.defaultValue))
            return makeError(QStringLiteral("Variable '%1' is declared twice with different types or defaults; "
                                            "declare it once and write {{%1}} elsewhere.")
                                 .arg(variable.name));
        return {};
    }

    Result<QString> renderPartial(const QString &reference)
    {
        if (stack.contains(reference))
            return makeError(QStringLiteral("The partial '%1' includes itself (%2).")
                                 .arg(reference, (stack + QStringList {reference}).join(QStringLiteral(" > "))));
        if (stack.size() >= PromptTemplate::MaxPartialDepth)
            return makeError(QStringLiteral("Partials nest deeper than %1 levels at '%2'.")
                                 .arg(PromptTemplate::MaxPartialDepth)
                                 .arg(reference));
        if (!partials)
            return makeError(
                QStringLiteral("The partial '%1' cannot be included here: no prompt registry.").arg(reference));
        Result<PromptContent> included = partials(reference);
        if (!included)
            return makeError(
                QStringLiteral("The partial '%1' cannot be included: %2").arg(reference, included.errorMessage()));
        if (included->isChat())
            return makeError(
                QStringLiteral("The partial '%1' is a chat prompt; only text prompts can be included.").arg(reference));
        stack.append(reference);
        Result<QString> text = render(included->text);
        stack.removeLast();
        return text;
    }
};

} // namespace

Result<QList<TemplateVariable>> PromptTemplate::variables(const PromptContent &content, QStringList *partials)
{
    QList<TemplateVariable> found;
    QHash<QString, qsizetype> index;
    for (const QString &text : textsOf(content)) {
        Result<QList<Piece>> pieces = split(text);
        if (!pieces)
            return pieces.error();
        for (const Piece &piece : pieces.value()) {
            if (!piece.tag)
                continue;
            if (piece.tag->partial) {
                if (partials && !partials->contains(piece.tag->reference))
                    partials->append(piece.tag->reference);
                continue;
            }
            const TemplateVariable &variable = piece.tag->variable;
            const auto it = index.constFind(variable.name);
            if (it == index.constEnd()) {
                index.insert(variable.name, found.size());
                found.append(variable);
                continue;
            }
            TemplateVariable &first = found[*it];
            const bool plain = variable.type == QLatin1String("string") && !variable.hasDefault;
            const bool firstPlain = first.type == QLatin1String("string") && !first.hasDefault;
            if (!plain && firstPlain) {
                first = variable; // {{n}} then {{n:integer=3}}: the declaration holds for both
                continue;
            }
            if (!plain
                && (first.type != variable.type || first.hasDefault != variable.hasDefault
                    || first.defaultValue != variable.defaultValue))
                return makeError(QStringLiteral("Variable '%1' is declared twice with different types or defaults; "
                                                "declare it once and write {{%1}} elsewhere.")
                                     .arg(variable.name));
        }
    }
    return found;
}

Result<PromptContent> PromptTemplate::render(const PromptContent &content, const QJsonObject &values,
                                             const PartialResolver &partials)
{
    // Declarations come first, so that a default given on a later use of a variable applies to every use.
    const Result<QList<TemplateVariable>> declared = variables(content);
    if (!declared)
        return declared.error();
    Renderer renderer {values, partials, {}, {}, {}, {}};
    for (const TemplateVariable &variable : declared.value())
        renderer.declared.insert(variable.name, variable);
    PromptContent rendered = content;
    if (content.isChat()) {
        for (PromptMessage &message : rendered.messages) {
            Result<QString> text = renderer.render(message.content);
            if (!text)
                return text.error();
            message.content = text.value();
        }
    } else {
        Result<QString> text = renderer.render(content.text);
        if (!text)
            return text.error();
        rendered.text = text.value();
    }
    if (!renderer.missing.isEmpty())
        return makeError(
            renderer.missing.size() == 1
                ? QStringLiteral("Missing variable '%1': the prompt uses it and it has no default.")
                      .arg(renderer.missing.first())
                : QStringLiteral("Missing variables %1: the prompt uses them and they have no default.")
                      .arg(QStringLiteral("'") + renderer.missing.join(QStringLiteral("', '")) + QStringLiteral("'")));
    QStringList unknown;
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (!renderer.used.contains(it.key()))
            unknown.append(it.key());
    }
    if (!unknown.isEmpty()) {
        QStringList known(renderer.used.begin(), renderer.used.end());
        known.sort();
        return makeError(QStringLiteral("Unknown variable%1 '%2': the prompt uses %3.")
                             .arg(unknown.size() == 1 ? QString() : QStringLiteral("s"),
                                  unknown.join(QStringLiteral("', '")),
                                  known.isEmpty() ? QStringLiteral("no variables") : known.join(QStringLiteral(", "))));
    }
    return rendered;
}

} // namespace sluice
