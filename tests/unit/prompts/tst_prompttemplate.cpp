#include <QJsonObject>
#include <QTest>

#include "prompts/PromptFile.h"
#include "prompts/PromptTemplate.h"
#include "store/PromptVersion.h"

using namespace sluice;

namespace {

PromptContent text(const QString &template_)
{
    PromptContent content;
    content.type = QStringLiteral("text");
    content.text = template_;
    return content;
}

PromptContent chat(const QString &system, const QString &user)
{
    PromptContent content;
    content.messages = {{QStringLiteral("system"), system}, {QStringLiteral("user"), user}};
    return content;
}

QString renderText(const QString &template_, const QJsonObject &values, QString *error = nullptr,
                   const PromptTemplate::PartialResolver &partials = {})
{
    const Result<PromptContent> rendered = PromptTemplate::render(text(template_), values, partials);
    if (!rendered) {
        if (error)
            *error = rendered.errorMessage();
        return QStringLiteral("<error>");
    }
    return rendered->text;
}

} // namespace

class TestPromptTemplate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void variablesAreReplacedInEveryMessage()
    {
        const Result<PromptContent> rendered = PromptTemplate::render(
            chat(QStringLiteral("You answer in {{ language }}."), QStringLiteral("Hi {{name}}, in {{language}}?")),
            QJsonObject {{QStringLiteral("name"), QStringLiteral("Ada")},
                         {QStringLiteral("language"), QStringLiteral("French")}});
        QVERIFY2(rendered.ok(), qPrintable(rendered.errorMessage()));
        QCOMPARE(rendered->messages.at(0).content, QStringLiteral("You answer in French."));
        QCOMPARE(rendered->messages.at(1).content, QStringLiteral("Hi Ada, in French?"));
        QCOMPARE(rendered->messages.at(1).role, QStringLiteral("user"));
    }

    void missingVariableIsAnErrorNamingIt()
    {
        QString error;
        QCOMPARE(renderText(QStringLiteral("Hi {{name}} from {{city}}"),
                            {{QStringLiteral("name"), QStringLiteral("A")}}, &error),
                 QStringLiteral("<error>"));
        QVERIFY2(error.contains(QLatin1String("Missing variable 'city'")), qPrintable(error));
        renderText(QStringLiteral("{{a}} {{b}}"), {}, &error);
        QVERIFY2(error.contains(QLatin1String("'a', 'b'")), qPrintable(error));
    }

    void unknownVariableIsAnErrorNamingIt()
    {
        QString error;
        QCOMPARE(
            renderText(QStringLiteral("Hi {{name}}"),
                       {{QStringLiteral("name"), QStringLiteral("A")}, {QStringLiteral("nmae"), QStringLiteral("B")}},
                       &error),
            QStringLiteral("<error>"));
        QVERIFY2(error.contains(QLatin1String("Unknown variable 'nmae'")) && error.contains(QLatin1String("name")),
                 qPrintable(error));
    }

    void defaultsApplyWhenNoValueIsGiven()
    {
        QCOMPARE(renderText(QStringLiteral("Tone: {{tone=friendly}}; again {{tone}}"), {}),
                 QStringLiteral("Tone: friendly; again friendly"));
        QCOMPARE(renderText(QStringLiteral("Tone: {{tone = \" very calm \"}}"), {}),
                 QStringLiteral("Tone:  very calm "));
        QCOMPARE(
            renderText(QStringLiteral("Tone: {{tone=friendly}}"), {{QStringLiteral("tone"), QStringLiteral("dry")}}),
            QStringLiteral("Tone: dry"));
        // A default given on a later use applies to the earlier ones too.
        QCOMPARE(renderText(QStringLiteral("{{n}} and {{n:integer=3}}"), {}), QStringLiteral("3 and 3"));
    }

    void typesAreChecked()
    {
        QString error;
        QCOMPARE(renderText(QStringLiteral("{{count:integer}} items"), {{QStringLiteral("count"), 4}}),
                 QStringLiteral("4 items"));
        QCOMPARE(renderText(QStringLiteral("{{count:integer}}"), {{QStringLiteral("count"), QStringLiteral("12")}}),
                 QStringLiteral("12"));
        renderText(QStringLiteral("{{count:integer}}"), {{QStringLiteral("count"), 2.5}}, &error);
        QVERIFY2(error.contains(QLatin1String("'count' is an integer")), qPrintable(error));
        renderText(QStringLiteral("{{t:number}}"), {{QStringLiteral("t"), QStringLiteral("warm")}}, &error);
        QVERIFY2(error.contains(QLatin1String("'t' is a number")), qPrintable(error));
        QCOMPARE(renderText(QStringLiteral("{{on:boolean}}"), {{QStringLiteral("on"), true}}), QStringLiteral("true"));
        renderText(QStringLiteral("{{on:boolean}}"), {{QStringLiteral("on"), QStringLiteral("yes")}}, &error);
        QVERIFY2(error.contains(QLatin1String("boolean")), qPrintable(error));
        QCOMPARE(renderText(QStringLiteral("{{data:json}}"),
                            {{QStringLiteral("data"), QJsonObject {{QStringLiteral("a"), 1}}}}),
                 QStringLiteral("{\"a\":1}"));
        renderText(QStringLiteral("{{name}}"), {{QStringLiteral("name"), QJsonObject()}}, &error);
        QVERIFY2(error.contains(QLatin1String("'name' is a string")), qPrintable(error));
        renderText(QStringLiteral("{{x:date}}"), {{QStringLiteral("x"), 1}}, &error);
        QVERIFY2(error.contains(QLatin1String("type 'date'")), qPrintable(error));
    }

    void malformedTagsAreErrors()
    {
        QString error;
        renderText(QStringLiteral("Hi {{name"), {}, &error);
        QVERIFY2(error.contains(QLatin1String("not closed")), qPrintable(error));
        renderText(QStringLiteral("Hi {{ 9lives }}"), {}, &error);
        QVERIFY2(error.contains(QLatin1String("is not a variable")), qPrintable(error));
        renderText(QStringLiteral("{{a:number}} {{a:integer}}"), {{QStringLiteral("a"), 1}}, &error);
        QVERIFY2(error.contains(QLatin1String("declared twice")), qPrintable(error));
    }

    void escapedBracesStayLiteral()
    {
        QCOMPARE(renderText(QStringLiteral("Use \\{{name}} in templates, {{name}}"),
                            {{QStringLiteral("name"), QStringLiteral("Ada")}}),
                 QStringLiteral("Use {{name}} in templates, Ada"));
    }

    void partialsIncludeTextPromptsWithTheSameVariables()
    {
        QStringList asked;
        const PromptTemplate::PartialResolver resolver = [&](const QString &reference) -> Result<PromptContent> {
            asked.append(reference);
            if (reference == QLatin1String("signature@production"))
                return text(QStringLiteral("-- {{team=Support}} ({{name}})"));
            if (reference == QLatin1String("loop"))
                return text(QStringLiteral("again {{> loop}}"));
            if (reference == QLatin1String("chatty"))
                return chat(QStringLiteral("s"), QStringLiteral("u"));
            return makeError(QStringLiteral("There is no prompt named '%1'.").arg(reference));
        };
        QCOMPARE(renderText(QStringLiteral("Dear {{name}}\n{{> signature@production }}"),
                            {{QStringLiteral("name"), QStringLiteral("Ada")}}, nullptr, resolver),
                 QStringLiteral("Dear Ada\n-- Support (Ada)"));
        QCOMPARE(asked, QStringList {QStringLiteral("signature@production")});
        // A variable used only in the partial is known, not unknown.
        QCOMPARE(
            renderText(QStringLiteral("{{> signature@production}}"),
                       {{QStringLiteral("name"), QStringLiteral("B")}, {QStringLiteral("team"), QStringLiteral("Ops")}},
                       nullptr, resolver),
            QStringLiteral("-- Ops (B)"));
        QString error;
        renderText(QStringLiteral("{{> loop}}"), {}, &error, resolver);
        QVERIFY2(error.contains(QLatin1String("includes itself")), qPrintable(error));
        renderText(QStringLiteral("{{> chatty}}"), {}, &error, resolver);
        QVERIFY2(error.contains(QLatin1String("only text prompts")), qPrintable(error));
        renderText(QStringLiteral("{{> nowhere@staging}}"), {}, &error, resolver);
        QVERIFY2(error.contains(QLatin1String("nowhere@staging")), qPrintable(error));
    }

    void variablesAreDetectedInOrder()
    {
        QStringList partials;
        const Result<QList<TemplateVariable>> found = PromptTemplate::variables(
            chat(QStringLiteral("{{b:number=2}} {{> footer@production}}"), QStringLiteral("{{a}} {{b}}")), &partials);
        QVERIFY2(found.ok(), qPrintable(found.errorMessage()));
        QCOMPARE(found->size(), 2);
        QCOMPARE(found->at(0).name, QStringLiteral("b"));
        QCOMPARE(found->at(0).type, QStringLiteral("number"));
        QVERIFY(found->at(0).hasDefault);
        QCOMPARE(found->at(0).defaultValue, QStringLiteral("2"));
        QCOMPARE(found->at(1).name, QStringLiteral("a"));
        QCOMPARE(partials, QStringList {QStringLiteral("footer@production")});
    }

    void promptFilesInYamlAndJson()
    {
        const Result<PromptContent> yaml
            = PromptFile::parse("type: chat\n"
                                "messages:\n"
                                "  - {role: system, content: \"You are terse.\"}\n"
                                "  - {role: user, content: \"Hi {{name}}\"}\n"
                                "config: {model: gpt-test, temperature: 0.2, max_tokens: 100}\n",
                                QStringLiteral("greet.yaml"));
        QVERIFY2(yaml.ok(), qPrintable(yaml.errorMessage()));
        QCOMPARE(yaml->messages.size(), 2);
        QCOMPARE(yaml->config.value(QLatin1String("temperature")).toDouble(), 0.2);
        QCOMPARE(yaml->config.value(QLatin1String("max_tokens")).toInt(), 100);
        QCOMPARE(yaml->config.value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
        const Result<PromptContent> json = PromptFile::parse(
            R"({"type": "text", "prompt": "Summarise {{doc}}", "config": {"model": "m"}})", QStringLiteral("s.json"));
        QVERIFY2(json.ok(), qPrintable(json.errorMessage()));
        QCOMPARE(json->text, QStringLiteral("Summarise {{doc}}"));
        // The stored form reads back the same.
        PromptVersion stored;
        stored.type = yaml->type;
        stored.templateJson = yaml->templateJson();
        stored.configJson = yaml->configJson();
        const Result<PromptContent> back = PromptContent::fromVersion(stored);
        QVERIFY(back.ok());
        QCOMPARE(back->messages.at(1).content, QStringLiteral("Hi {{name}}"));
        QCOMPARE(back->config, yaml->config);
    }

    void badPromptFilesSayWhatToFix()
    {
        const auto errorOf = [](const QByteArray &textOfFile) {
            const Result<PromptContent> parsed = PromptFile::parse(textOfFile, QStringLiteral("p.yaml"));
            return parsed ? QString() : parsed.errorMessage();
        };
        QVERIFY(errorOf("type: chat\nmessages: []\n").contains(QLatin1String("needs \"messages\"")));
        QVERIFY(errorOf("type: chat\nmessages: [{role: robot, content: x}]\n").contains(QLatin1String("role")));
        QVERIFY(errorOf("type: chat\nmessages: [{role: user, content: x}]\nconfig: {temprature: 1}\n")
                    .contains(QLatin1String("temprature")));
        QVERIFY(errorOf("type: text\nprompt: \"Hi {{name\"\n").contains(QLatin1String("not closed")));
        QVERIFY(errorOf("type: poem\n").contains(QLatin1String("chat")));
        QVERIFY(errorOf("messages: [\n").startsWith(QLatin1String("p.yaml:")));
    }
};

QTEST_GUILESS_MAIN(TestPromptTemplate)
#include "tst_prompttemplate.moc"
