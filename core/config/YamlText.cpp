#include "YamlText.h"

#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace sluice {

struct YamlText::Located
{
    YAML::Node root;
};

namespace {

Error editError(const QString &sourceName, const QString &message)
{
    return Error {sourceName + QStringLiteral(": ") + message};
}

bool isFlow(const YAML::Node &node)
{
    return node.Style() == YAML::EmitterStyle::Flow;
}

QString nameOf(const YAML::Node &item)
{
    if (!item.IsMap())
        return {};
    const YAML::Node name = item["name"];
    return name && name.IsScalar() ? QString::fromStdString(name.Scalar()) : QString();
}

// The node at a section path: "providers", or one level down in a top-level mapping, "guardrails.rules".
YAML::Node nodeAt(const YAML::Node &root, const QString &section)
{
    // Node's operator= assigns into the node it refers to; reset() moves the reference.
    YAML::Node node;
    node.reset(root);
    for (const QString &key : section.split(QLatin1Char('.'))) {
        if (!node || !node.IsMap())
            return YAML::Node(YAML::NodeType::Undefined);
        const YAML::Node parent = node;
        const YAML::Node child = parent[key.toStdString()];
        if (!child)
            return YAML::Node(YAML::NodeType::Undefined); // reset() throws on a missing key's node
        node.reset(child);
    }
    return node;
}

// Where the last key of a section path is written (line and column, 0-based); line -1 when missing.
QPair<int, int> keyPlaceOf(const YAML::Node &root, const QString &section)
{
    const qsizetype dot = section.lastIndexOf(QLatin1Char('.'));
    const YAML::Node parent = dot < 0 ? root : nodeAt(root, section.left(dot));
    const std::string key = section.mid(dot + 1).toStdString();
    QPair<int, int> place {-1, 0};
    if (parent && parent.IsMap()) {
        for (const auto &pair : parent) {
            if (pair.first.Scalar() == key)
                place = {int(pair.first.Mark().line), int(pair.first.Mark().column)};
        }
    }
    return place;
}

} // namespace

Result<YamlText> YamlText::parse(const QByteArray &text, const QString &sourceName)
{
    YamlText yaml;
    yaml.m_sourceName = sourceName;
    if (text.contains("\r\n"))
        yaml.m_newline = "\r\n";
    yaml.m_finalNewline = text.isEmpty() || text.endsWith('\n');
    QByteArray body = text;
    if (body.endsWith('\n'))
        body.chop(1);
    for (QByteArray &line : body.split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        yaml.m_lines.append(line);
    }
    if (text.isEmpty())
        yaml.m_lines.clear();
    if (Result<Located> located = yaml.locate(); !located)
        return located.error();
    return yaml;
}

QByteArray YamlText::text() const
{
    QByteArray out;
    for (qsizetype i = 0; i < m_lines.size(); ++i) {
        out += m_lines.at(i);
        if (i + 1 < m_lines.size() || m_finalNewline)
            out += m_newline;
    }
    return out;
}

Result<YamlText::Located> YamlText::locate() const
{
    Located located;
    try {
        located.root = YAML::Load(text().toStdString());
    } catch (const YAML::Exception &e) {
        return editError(m_sourceName,
                         QStringLiteral("line %1: invalid YAML: %2")
                             .arg(e.mark.is_null() ? 0 : e.mark.line + 1)
                             .arg(QString::fromStdString(e.msg)));
    }
    if (located.root && !located.root.IsNull() && !located.root.IsMap())
        return editError(m_sourceName,
                         QStringLiteral("the file is not a mapping of sections (gateway:, providers:, "
                                        "...); fix it by hand first"));
    return located;
}

int YamlText::indentOf(const QByteArray &line)
{
    int i = 0;
    while (i < line.size() && line.at(i) == ' ')
        ++i;
    return i;
}

bool YamlText::isContent(const QByteArray &line)
{
    const QByteArray trimmed = line.trimmed();
    return !trimmed.isEmpty() && !trimmed.startsWith('#');
}

qsizetype YamlText::commentStart(const QByteArray &line, qsizetype from)
{
    char quote = 0;
    for (qsizetype i = from; i < line.size(); ++i) {
        const char c = line.at(i);
        if (quote) {
            if (c == '\\' && quote == '"')
                ++i;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#' && i > 0 && (line.at(i - 1) == ' ' || line.at(i - 1) == '\t')) {
            qsizetype start = i;
            while (start > from && (line.at(start - 1) == ' ' || line.at(start - 1) == '\t'))
                --start;
            return start;
        }
    }
    return -1;
}

// The last line of the block that starts at first: every following line indented deeper than parentColumn
// (blank and comment lines inside count, trailing ones do not).
int YamlText::blockEnd(int first, int parentColumn, bool sequenceContinues) const
{
    int last = first;
    for (int i = first + 1; i < m_lines.size(); ++i) {
        const QByteArray &line = m_lines.at(i);
        if (!isContent(line))
            continue;
        const int indent = indentOf(line);
        const bool item = indent == parentColumn && line.mid(indent).startsWith('-');
        if (indent <= parentColumn && !(sequenceContinues && item))
            break;
        last = i;
    }
    return last;
}

void YamlText::replaceLines(int first, int last, const QList<QByteArray> &lines)
{
    m_lines.remove(first, last - first + 1);
    for (qsizetype i = 0; i < lines.size(); ++i)
        m_lines.insert(first + i, lines.at(i));
}

void YamlText::appendSection(const QByteArray &header, const QList<QByteArray> &body)
{
    while (!m_lines.isEmpty() && m_lines.constLast().trimmed().isEmpty())
        m_lines.removeLast();
    if (!m_lines.isEmpty())
        m_lines.append(QByteArray());
    m_lines.append(header);
    m_lines.append(body);
    m_finalNewline = true;
}

Result<YamlText::ItemPlace> YamlText::findItem(const Located &located, const QString &section,
                                               const QString &name) const
{
    const YAML::Node list = nodeAt(located.root, section);
    if (list && list.IsSequence()) {
        for (const YAML::Node &item : list) {
            if (nameOf(item) != name)
                continue;
            const YAML::Mark mark = item.Mark();
            const QByteArray &line = m_lines.value(mark.line);
            int dash = int(mark.column) - 1;
            while (dash >= 0 && line.at(dash) == ' ')
                --dash;
            if (isFlow(list) || dash < 0 || line.at(dash) != '-')
                return editError(m_sourceName,
                                 QStringLiteral("line %1: %2 is not written as a '- ' list; edit it by hand")
                                     .arg(mark.line + 1)
                                     .arg(section));
            ItemPlace place;
            place.dashColumn = dash;
            place.keyColumn = int(mark.column);
            place.flow = isFlow(item);
            place.span = {int(mark.line), blockEnd(int(mark.line), dash)};
            return place;
        }
    }
    return editError(m_sourceName, QStringLiteral("%1 has no entry named '%2'").arg(section, name));
}

QStringList YamlText::itemNames(const QString &section) const
{
    QStringList names;
    const Result<Located> located = locate();
    if (!located)
        return names;
    const YAML::Node list = nodeAt(located->root, section);
    if (list && list.IsSequence()) {
        for (const YAML::Node &item : list)
            names.append(nameOf(item));
    }
    return names;
}

Result<void> YamlText::appendItem(const QString &section, const QList<Field> &fields)
{
    if (fields.isEmpty())
        return editError(m_sourceName, QStringLiteral("an entry needs at least one field"));
    Result<Located> located = locate();
    if (!located)
        return located.error();
    const YAML::Node list = nodeAt(located->root, section);
    auto render = [&fields](int dashColumn, int keyColumn) {
        QList<QByteArray> lines;
        for (qsizetype i = 0; i < fields.size(); ++i) {
            QByteArray line(i == 0 ? dashColumn : keyColumn, ' ');
            if (i == 0)
                line += '-' + QByteArray(keyColumn - dashColumn - 1, ' ');
            line += fields.at(i).first.toUtf8() + ": " + fields.at(i).second;
            lines.append(line);
        }
        return lines;
    };
    const qsizetype dot = section.indexOf(QLatin1Char('.'));
    if (!list && dot < 0) {
        appendSection(section.toUtf8() + ':', render(2, 4));
        return {};
    }
    if (!list) {
        // A list one level down (guardrails.rules): its key goes into the parent mapping, which may be missing too.
        const QString parentName = section.left(dot);
        const QByteArray key = section.mid(dot + 1).toUtf8();
        const YAML::Node parent = nodeAt(located->root, parentName);
        if (!parent) {
            appendSection(parentName.toUtf8() + ':', QList<QByteArray> {"  " + key + ':'} + render(4, 6));
            return {};
        }
        const int parentLine = keyPlaceOf(located->root, parentName).first;
        if (parent.IsNull() && parentLine >= 0) {
            const QList<QByteArray> lines = QList<QByteArray> {"  " + key + ':'} + render(4, 6);
            for (qsizetype i = 0; i < lines.size(); ++i)
                m_lines.insert(parentLine + 1 + i, lines.at(i));
            return {};
        }
        if (!parent.IsMap() || isFlow(parent) || parentLine < 0)
            return editError(m_sourceName,
                             QStringLiteral("line %1: %2 is not written as indented key: value lines; edit it by hand")
                                 .arg(parentLine + 1)
                                 .arg(parentName));
        const int keyColumn = int(parent.begin()->first.Mark().column);
        const QList<QByteArray> lines
            = QList<QByteArray> {QByteArray(keyColumn, ' ') + key + ':'} + render(keyColumn + 2, keyColumn + 4);
        const int last = blockEnd(parentLine, 0);
        for (qsizetype i = 0; i < lines.size(); ++i)
            m_lines.insert(last + 1 + i, lines.at(i));
        return {};
    }
    if (!list.IsNull() && !list.IsSequence())
        return editError(
            m_sourceName,
            QStringLiteral("line %1: %2 is not a list; fix it by hand first").arg(list.Mark().line + 1).arg(section));
    // The section's key line: where the list's key is written.
    const auto [keyLine, keyIndent] = keyPlaceOf(located->root, section);
    if (keyLine < 0)
        return editError(m_sourceName, QStringLiteral("cannot find the line of %1:").arg(section));
    const qsizetype listSize = list.IsSequence() ? qsizetype(list.size()) : 0;
    if (listSize == 0) {
        // "section:" with nothing, or "section: []": becomes a block list under the key.
        QByteArray &line = m_lines[keyLine];
        const qsizetype colon = line.indexOf(':', keyIndent);
        const qsizetype comment = commentStart(line, colon + 1);
        const QByteArray trailing = comment >= 0 ? line.mid(comment) : QByteArray();
        line = line.left(colon + 1) + trailing;
        const QList<QByteArray> rendered = render(keyIndent + 2, keyIndent + 4);
        for (qsizetype i = 0; i < rendered.size(); ++i)
            m_lines.insert(keyLine + 1 + i, rendered.at(i));
        return {};
    }
    if (isFlow(list))
        return editError(m_sourceName,
                         QStringLiteral("line %1: %2 is written on one line ([...]); write it as a "
                                        "'- ' list to let Sluice add to it")
                             .arg(keyLine + 1)
                             .arg(section));
    const YAML::Node lastItem = list[list.size() - 1];
    Result<ItemPlace> last = findItem(*located, section, nameOf(lastItem));
    ItemPlace place;
    if (last) {
        place = *last;
    } else {
        // An unnamed last entry: measure it directly.
        const YAML::Mark mark = lastItem.Mark();
        place.dashColumn = qMax(0, int(mark.column) - 2);
        place.keyColumn = int(mark.column);
        place.span = {int(mark.line), blockEnd(int(mark.line), place.dashColumn)};
    }
    // A flow-style last entry tells nothing about the key column: keep two spaces after the dash.
    const int keyColumn = place.flow ? place.dashColumn + 2 : place.keyColumn;
    const QList<QByteArray> rendered = render(place.dashColumn, keyColumn);
    for (qsizetype i = 0; i < rendered.size(); ++i)
        m_lines.insert(place.span.last + 1 + i, rendered.at(i));
    return {};
}

bool YamlText::isFlowItem(const QString &section, const QString &name) const
{
    const Result<Located> located = locate();
    if (!located)
        return false;
    const Result<ItemPlace> place = findItem(*located, section, name);
    return place && place->flow;
}

Result<void> YamlText::replaceItem(const QString &section, const QString &name, const QList<Field> &fields)
{
    if (fields.isEmpty())
        return editError(m_sourceName, QStringLiteral("an entry needs at least one field"));
    Result<Located> located = locate();
    if (!located)
        return located.error();
    Result<ItemPlace> place = findItem(*located, section, name);
    if (!place)
        return place.error();
    QList<QByteArray> lines;
    if (place->flow) {
        QByteArray line = QByteArray(place->dashColumn, ' ') + "- {";
        for (qsizetype i = 0; i < fields.size(); ++i) {
            QByteArray value = fields.at(i).second;
            // Inside {...} a comma or brace ends the value: such plain values are quoted.
            if (!value.startsWith('"') && !value.startsWith('[')
                && (value.contains(',') || value.contains('{') || value.contains('}')))
                value = '"' + value + '"';
            line += (i ? ", " : "") + fields.at(i).first.toUtf8() + ": " + value;
        }
        lines.append(line + '}');
    } else {
        for (qsizetype i = 0; i < fields.size(); ++i) {
            QByteArray line(i == 0 ? place->dashColumn : place->keyColumn, ' ');
            if (i == 0)
                line += '-' + QByteArray(place->keyColumn - place->dashColumn - 1, ' ');
            lines.append(line + fields.at(i).first.toUtf8() + ": " + fields.at(i).second);
        }
    }
    replaceLines(place->span.first, place->span.last, lines);
    return {};
}

Result<void> YamlText::removeItem(const QString &section, const QString &name)
{
    Result<Located> located = locate();
    if (!located)
        return located.error();
    Result<ItemPlace> place = findItem(*located, section, name);
    if (!place)
        return place.error();
    int first = place->span.first;
    int last = place->span.last;
    // The comment lines right above the entry describe it.
    while (first > 0 && !isContent(m_lines.at(first - 1)) && !m_lines.at(first - 1).trimmed().isEmpty()
           && indentOf(m_lines.at(first - 1)) >= place->dashColumn)
        --first;
    // Do not leave two blank lines where the entry was.
    const bool blankBefore = first == 0 || m_lines.at(first - 1).trimmed().isEmpty();
    if (blankBefore && last + 1 < m_lines.size() && m_lines.at(last + 1).trimmed().isEmpty())
        ++last;
    m_lines.remove(first, last - first + 1);
    return {};
}

Result<YamlText::ItemField> YamlText::findItemField(const QString &section, const QString &name, const QString &key,
                                                    const QString &flowAdvice) const
{
    Result<Located> located = locate();
    if (!located)
        return located.error();
    Result<ItemPlace> place = findItem(*located, section, name);
    if (!place)
        return place.error();
    if (place->flow)
        return editError(m_sourceName,
                         QStringLiteral("line %1: the %2 entry '%3' is written on one line ({...}); %4")
                             .arg(place->span.first + 1)
                             .arg(section, name, flowAdvice));
    ItemField field;
    field.place = *place;
    for (const YAML::Node &item : nodeAt(located->root, section)) {
        if (nameOf(item) != name)
            continue;
        for (const auto &pair : item) {
            if (pair.first.Scalar() == key.toStdString()) {
                field.line = pair.first.Mark().line;
                field.column = pair.first.Mark().column;
                break;
            }
        }
        break;
    }
    return field;
}

Result<void> YamlText::setItemField(const QString &section, const QString &name, const QString &key,
                                    const QByteArray &value)
{
    const Result<ItemField> field = findItemField(
        section, name, key, QStringLiteral("write it as indented key: value lines to let Sluice edit it"));
    if (!field)
        return field.error();
    if (field->line < 0) {
        m_lines.insert(field->place.span.last + 1,
                       QByteArray(field->place.keyColumn, ' ') + key.toUtf8() + ": " + value);
        return {};
    }
    const int end = blockEnd(field->line, field->column);
    const QByteArray &old = m_lines.at(field->line);
    const qsizetype comment = end == field->line ? commentStart(old, old.indexOf(':', field->column) + 1) : -1;
    replaceLines(
        field->line, end,
        {old.left(field->column) + key.toUtf8() + ": " + value + (comment >= 0 ? old.mid(comment) : QByteArray())});
    return {};
}

Result<void> YamlText::removeItemField(const QString &section, const QString &name, const QString &key)
{
    const Result<ItemField> field = findItemField(section, name, key, QStringLiteral("edit it by hand"));
    if (!field)
        return field.error();
    if (field->line < 0)
        return {};
    if (field->line == field->place.span.first)
        return editError(
            m_sourceName,
            QStringLiteral("line %1: '%2' starts the entry; edit it by hand").arg(field->line + 1).arg(key));
    m_lines.remove(field->line, blockEnd(field->line, field->column) - field->line + 1);
    return {};
}

Result<void> YamlText::setValue(const QString &section, const QString &key, const QByteArray &value)
{
    Result<Located> located = locate();
    if (!located)
        return located.error();
    const YAML::Node map = located->root[section.toStdString()];
    if (!map) {
        appendSection(section.toUtf8() + ':', {QByteArray("  ") + key.toUtf8() + ": " + value});
        return {};
    }
    int keyLine = -1;
    for (const auto &pair : located->root) {
        if (pair.first.Scalar() == section.toStdString())
            keyLine = pair.first.Mark().line;
    }
    if (map.IsNull() && keyLine >= 0) {
        m_lines.insert(keyLine + 1, QByteArray("  ") + key.toUtf8() + ": " + value);
        return {};
    }
    if (!map.IsMap() || isFlow(map))
        return editError(m_sourceName,
                         QStringLiteral("line %1: %2 is not written as indented key: value lines; "
                                        "edit it by hand")
                             .arg(keyLine + 1)
                             .arg(section));
    int keyColumn = -1;
    for (const auto &pair : map) {
        keyColumn = pair.first.Mark().column;
        if (pair.first.Scalar() != key.toStdString())
            continue;
        const int line = pair.first.Mark().line;
        const int end = blockEnd(line, keyColumn);
        const QByteArray &old = m_lines.at(line);
        const qsizetype comment = end == line ? commentStart(old, old.indexOf(':', keyColumn) + 1) : -1;
        replaceLines(
            line, end,
            {old.left(keyColumn) + key.toUtf8() + ": " + value + (comment >= 0 ? old.mid(comment) : QByteArray())});
        return {};
    }
    const int last = blockEnd(keyLine, 0);
    m_lines.insert(last + 1, QByteArray(qMax(keyColumn, 2), ' ') + key.toUtf8() + ": " + value);
    return {};
}

QString YamlText::topLevelValue(const QString &key) const
{
    const Result<Located> located = locate();
    if (!located || !located->root.IsMap())
        return {};
    const YAML::Node value = located->root[key.toStdString()];
    return value && value.IsScalar() ? QString::fromStdString(value.Scalar()) : QString();
}

Result<void> YamlText::appendToItemList(const QString &section, const QString &name, const QString &key,
                                        const QByteArray &flowItem)
{
    Result<Located> located = locate();
    if (!located)
        return located.error();
    Result<ItemPlace> place = findItem(*located, section, name);
    if (!place)
        return place.error();
    if (place->flow)
        return editError(m_sourceName,
                         QStringLiteral("line %1: the %2 entry '%3' is written on one line ({...}); "
                                        "write it as indented key: value lines to let Sluice edit it")
                             .arg(place->span.first + 1)
                             .arg(section, name));
    const YAML::Node list = located->root[section.toStdString()];
    for (const YAML::Node &item : list) {
        if (nameOf(item) != name)
            continue;
        for (const auto &pair : item) {
            if (pair.first.Scalar() != key.toStdString())
                continue;
            if (!pair.second.IsSequence())
                break;
            const int line = pair.first.Mark().line;
            const int column = pair.first.Mark().column;
            const int end = blockEnd(line, column, true);
            if (pair.second.Style() == YAML::EmitterStyle::Flow) {
                // [a, b] on the key's own line: the new item goes before its closing bracket.
                const QByteArray &old = m_lines.at(line);
                const qsizetype comment = commentStart(old, old.indexOf(':', column) + 1);
                const qsizetype close = old.left(comment >= 0 ? comment : old.size()).lastIndexOf(']');
                if (end != line || close < 0)
                    return editError(m_sourceName,
                                     QStringLiteral("line %1: the %2 of '%3' spread over several lines in [...] form; "
                                                    "edit them by hand")
                                         .arg(line + 1)
                                         .arg(key, name));
                const bool empty = pair.second.size() == 0;
                m_lines[line] = old.left(close) + (empty ? "" : ", ") + flowItem + old.mid(close);
                return {};
            }
            // A block list: its items' dash column, from its first item.
            int dashColumn = column + 2;
            for (int i = line + 1; i <= end; ++i) {
                if (isContent(m_lines.at(i)) && m_lines.at(i).mid(indentOf(m_lines.at(i))).startsWith('-')) {
                    dashColumn = indentOf(m_lines.at(i));
                    break;
                }
            }
            m_lines.insert(end + 1, QByteArray(dashColumn, ' ') + "- " + flowItem);
            return {};
        }
        break;
    }
    return editError(m_sourceName, QStringLiteral("the %1 entry '%2' has no %3 list").arg(section, name, key));
}

QString YamlText::itemField(const QString &section, const QString &name, const QString &key) const
{
    const Result<Located> located = locate();
    if (!located || !located->root.IsMap())
        return {};
    const YAML::Node list = nodeAt(located->root, section);
    if (!list || !list.IsSequence())
        return {};
    for (const YAML::Node &item : list) {
        if (nameOf(item) != name)
            continue;
        const YAML::Node value = item[key.toStdString()];
        return value && value.IsScalar() ? QString::fromStdString(value.Scalar()) : QString();
    }
    return {};
}

Result<void> YamlText::setTopLevel(const QString &key, const QByteArray &value)
{
    Result<Located> located = locate();
    if (!located)
        return located.error();
    if (located->root.IsMap()) {
        for (const auto &pair : located->root) {
            if (pair.first.Scalar() != key.toStdString())
                continue;
            const int line = pair.first.Mark().line;
            const int column = pair.first.Mark().column;
            const int end = blockEnd(line, column, true);
            const QByteArray &old = m_lines.at(line);
            const qsizetype comment = end == line ? commentStart(old, old.indexOf(':', column) + 1) : -1;
            replaceLines(
                line, end,
                {old.left(column) + key.toUtf8() + ": " + value + (comment >= 0 ? old.mid(comment) : QByteArray())});
            return {};
        }
    }
    while (!m_lines.isEmpty() && m_lines.constLast().trimmed().isEmpty())
        m_lines.removeLast();
    m_lines.append(key.toUtf8() + ": " + value);
    m_finalNewline = true;
    return {};
}

QByteArray YamlText::scalar(const QString &value)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_/.$(][A-Za-z0-9_/.@:+$()=?&%, -]*$"));
    static const QRegularExpression special(QStringLiteral("^(true|false|yes|no|on|off|null|~|y|n)$"),
                                            QRegularExpression::CaseInsensitiveOption);
    // Plain only when it reads back as the same text: not a bool/null word, not a number, no ": " or " #".
    bool isNumber = false;
    value.toDouble(&isNumber);
    if (plain.match(value).hasMatch() && !special.match(value).hasMatch() && !isNumber && !value.endsWith(u':')
        && !value.endsWith(u' ') && !value.contains(QLatin1String(": ")) && !value.contains(QLatin1String(" #")))
        return value.toUtf8();
    QByteArray out = "\"";
    for (const QChar c : value) {
        if (c == u'"' || c == u'\\')
            out += '\\' + QString(c).toUtf8();
        else if (c == u'\n')
            out += "\\n";
        else if (c == u'\t')
            out += "\\t";
        else if (c.unicode() < 0x20)
            out += "\\x" + QByteArray::number(c.unicode(), 16).rightJustified(2, '0');
        else
            out += QString(c).toUtf8();
    }
    return out + '"';
}

QByteArray YamlText::flowList(const QStringList &values)
{
    QByteArray out = "[";
    for (qsizetype i = 0; i < values.size(); ++i) {
        QByteArray part = scalar(values.at(i));
        // Inside [...] a comma ends the item: such values are quoted.
        if (part.contains(',') && !part.startsWith('"'))
            part = '"' + part + '"';
        out += (i ? ", " : "") + part;
    }
    return out + ']';
}

} // namespace sluice
