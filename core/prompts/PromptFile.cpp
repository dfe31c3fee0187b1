#include "PromptFile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>

#include <yaml-cpp/yaml.h>

#include "prompts/PromptTemplate.h"

namespace sluice {

namespace {

QJsonValue toJson(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Sequence: {
        QJsonArray array;
        for (const YAML::Node &item : node)
            array.append(toJson(item));
        return array;
    }
    case YAML::NodeType::Map: {
        QJsonObject object;
        for (const auto &item : node)
            object.insert(QString::fromStdString(item.first.as<std::string>()), toJson(item.second));
        return object;
    }
    case YAML::NodeType::Scalar: {
        const QString text = QString::fromStdString(node.Scalar());
        if (node.Tag() == "!") // quoted
            return text;
        if (text == QLatin1String("true") || text == QLatin1String("false"))
            return text == QLatin1String("true");
        if (text == QLatin1String("null") || text == QLatin1String("~"))
            return QJsonValue::Null;
        bool ok = false;
        const qlonglong integer = text.toLongLong(&ok);
        if (ok)
            return integer;
        const double number = text.toDouble(&ok);
        if (ok)
            return number;
        return text;
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return QJsonValue::Null;
}

} // namespace

Result<QJsonObject> PromptFile::yamlObject(const QByteArray &text, const QString &fileName)
{
    try {
        const YAML::Node root = YAML::Load(text.toStdString());
        if (!root.IsMap())
            return makeError(QStringLiteral("%1: a prompt file is a mapping with type, messages or prompt, and config.")
                                 .arg(fileName));
        return toJson(root).toObject();
    } catch (const YAML::Exception &error) {
        return makeError(QStringLiteral("%1:%2:%3: %4 (a {{ at the start of a value must be quoted: content: \"{{x}} "
                                        "...\")")
                             .arg(fileName)
                             .arg(error.mark.line + 1)
                             .arg(error.mark.column + 1)
                             .arg(QString::fromStdString(error.msg)));
    }
}

Result<PromptContent> PromptFile::parse(const QByteArray &text, const QString &fileName)
{
    Result<QJsonObject> object = yamlObject(text, fileName);
    if (!object)
        return object.error();
    Result<PromptContent> content = PromptContent::fromJson(object.value());
    if (!content)
        return makeError(fileName + QStringLiteral(": ") + content.errorMessage());
    if (Result<QList<TemplateVariable>> variables = PromptTemplate::variables(content.value()); !variables)
        return makeError(fileName + QStringLiteral(": ") + variables.errorMessage());
    return content;
}

Result<PromptContent> PromptFile::read(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    return parse(file.readAll(), QDir::toNativeSeparators(path));
}

} // namespace sluice
