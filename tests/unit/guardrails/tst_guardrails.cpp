#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "guardrails/GuardrailDetectors.h"
#include "guardrails/GuardrailStreamFilter.h"
#include "guardrails/Guardrails.h"
#include "guardrails/JsonLocation.h"

using namespace sluice;

namespace {
GuardrailRule rule(const QString &name, const QString &detect,
                   GuardrailRule::Action action = GuardrailRule::Action::Mask,
                   GuardrailRule::Side on = GuardrailRule::Side::Request)
{
    GuardrailRule made;
    made.name = name;
    made.detect = detect;
    made.action = action;
    made.on = on;
    return made;
}

Guardrails guard(QList<GuardrailRule> rules)
{
    return Guardrails(GuardrailSettings {std::move(rules)});
}

// The kinds of what the detector set finds in `text`, in order.
QStringList kindsIn(const QString &detect, const QByteArray &text)
{
    const Guardrails guardrails = guard({rule(QStringLiteral("r"), detect)});
    QStringList kinds;
    for (const GuardrailFinding &finding : guardrails.matcher({0})->scan(text))
        kinds.append(finding.kind + QLatin1Char('=')
                     + QString::fromUtf8(text.sliced(finding.start, finding.end - finding.start)));
    return kinds;
}

const QByteArray AwsKey = "AKIAIOSFODNN7EXAMPLE";
const QByteArray AwsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
} // namespace

class TestGuardrails : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void secretsFound_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("aws access key") << QByteArray("key id AKIAIOSFODNN7EXAMPLE here")
                                        << QStringLiteral("SECRET_AWS=AKIAIOSFODNN7EXAMPLE");
        QTest::newRow("aws key after a JSON newline escape")
            << QByteArray(R"({"content":"creds:\nAKIAIOSFODNN7EXAMPLE"})")
            << QStringLiteral("SECRET_AWS=AKIAIOSFODNN7EXAMPLE");
        QTest::newRow("aws secret key") << QByteArray(
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
                                        << QStringLiteral("SECRET_AWS=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        QTest::newRow("aws secret key in escaped JSON")
            << QByteArray(R"({"content":"{\"AWS_SECRET_ACCESS_KEY\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}"})")
            << QStringLiteral("SECRET_AWS=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        QTest::newRow("github") << QByteArray("export GH=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")
                                << QStringLiteral("SECRET_GITHUB=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789");
        QTest::newRow("gitlab") << QByteArray("glpat-FAKEfakeFAKEfake0000")
                                << QStringLiteral("SECRET_GITLAB=glpat-FAKEfakeFAKEfake0000");
        QTest::newRow("slack") << QByteArray("SLACK=xoxb-123456789012-abcdefABCDEF")
                               << QStringLiteral("SECRET_SLACK=xoxb-123456789012-abcdefABCDEF");
        QTest::newRow("stripe") << QByteArray("stripe.api_key = 'sk_live_FAKEfakeFAKEfakeFAKE0000'")
                                << QStringLiteral("SECRET_STRIPE=sk_live_FAKEfakeFAKEfakeFAKE0000");
        QTest::newRow("openai") << QByteArray("OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWxYz1234567890abcdEFGH")
                                << QStringLiteral(
                                       "SECRET_OPENAI=sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWxYz1234567890abcdEFGH");
        QTest::newRow("anthropic") << QByteArray("key: sk-ant-api03-Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fEdCbA-_xyz")
                                   << QStringLiteral(
                                          "SECRET_ANTHROPIC=sk-ant-api03-Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fEdCbA-_xyz");
        QTest::newRow("google") << QByteArray("AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW")
                                << QStringLiteral("SECRET_GOOGLE=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW");
        QTest::newRow("private key block")
            << QByteArray(
                   R"(x \"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----\" y)")
            << QStringLiteral(
                   R"(SECRET_PRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----)");
        QTest::newRow("jwt") << QByteArray(
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")
                             << QStringLiteral("SECRET_JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                                               "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U");
        QTest::newRow("connection string")
            << QByteArray("DATABASE_URL=postgres://app:Tr0ub4dor&3x@db.internal:5432/app")
            << QStringLiteral("SECRET_CONNECTION=Tr0ub4dor&3x");
        QTest::newRow("password assignment")
            << QByteArray("db_password = \"Xk9#mP2$vL7qR4wZ\"") << QStringLiteral("SECRET_PASSWORD=Xk9#mP2$vL7qR4wZ");
        QTest::newRow("token= names the specific key")
            << QByteArray("token=AKIAIOSFODNN7EXAMPLE") << QStringLiteral("SECRET_AWS=AKIAIOSFODNN7EXAMPLE");
    }
    void secretsFound()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        QCOMPARE(kindsIn(QStringLiteral("secrets"), text), QStringList {expected});
    }

    void ordinaryCodeAndProseAreNotSecrets_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("git sha") << QByteArray("commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it");
        QTest::newRow("password from a call") << QByteArray("const password = getPassword(user);");
        QTest::newRow("token from the environment") << QByteArray("token = os.environ['GITHUB_TOKEN']");
        QTest::newRow("process.env") << QByteArray("const apiKey = process.env.OPENAI_API_KEY;");
        QTest::newRow("max tokens") << QByteArray(R"({"max_tokens": 4096, "token_count": 12})");
        QTest::newRow("placeholder password") << QByteArray("password: changeme123");
        QTest::newRow("template") << QByteArray("password=${DB_PASSWORD}");
        QTest::newRow("low entropy") << QByteArray("password = aaaaaaaaaaaa1");
        QTest::newRow("connection without password") << QByteArray("postgres://localhost:5432/app");
        QTest::newRow("connection with a variable") << QByteArray("postgres://app:${PGPASSWORD}@db/app");
        QTest::newRow("prose") << QByteArray("The secret to good tokens is a risk-free task-list; keys go in a vault.");
        QTest::newRow("uuid") << QByteArray("id 123e4567-e89b-12d3-a456-426614174000");
        QTest::newRow("base64 image") << QByteArray(
            "data:image/"
            "png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg="
            "=");
        QTest::newRow("short sk- word") << QByteArray("desk-top and sk-learn");
        QTest::newRow("public key block")
            << QByteArray("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----");
    }
    void ordinaryCodeAndProseAreNotSecrets()
    {
        QFETCH(QByteArray, text);
        QCOMPARE(kindsIn(QStringLiteral("secrets"), text), QStringList());
    }

    void personalDataFound_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("email") << QByteArray("mail jane.doe+work@example.co.uk today")
                               << QStringLiteral("EMAIL=jane.doe+work@example.co.uk");
        QTest::newRow("email after JSON newline")
            << QByteArray(R"(to:\nbob@corp.example)") << QStringLiteral("EMAIL=bob@corp.example");
        QTest::newRow("visa") << QByteArray("card 4111 1111 1111 1111 exp")
                              << QStringLiteral("CREDIT_CARD=4111 1111 1111 1111");
        QTest::newRow("mastercard plain")
            << QByteArray("5555555555554444") << QStringLiteral("CREDIT_CARD=5555555555554444");
        QTest::newRow("amex grouped") << QByteArray("3782 822463 10005")
                                      << QStringLiteral("CREDIT_CARD=3782 822463 10005");
        QTest::newRow("iban") << QByteArray("IBAN DE89 3704 0044 0532 0130 00.")
                              << QStringLiteral("IBAN=DE89 3704 0044 0532 0130 00");
        QTest::newRow("iban compact") << QByteArray("GB82WEST12345698765432")
                                      << QStringLiteral("IBAN=GB82WEST12345698765432");
        QTest::newRow("ssn") << QByteArray("SSN: 078-05-1120") << QStringLiteral("SSN=078-05-1120");
        QTest::newRow("us phone") << QByteArray("call (415) 555-2671 now") << QStringLiteral("PHONE=(415) 555-2671");
        QTest::newRow("international phone")
            << QByteArray("tel +44 20 7946 0958") << QStringLiteral("PHONE=+44 20 7946 0958");
    }
    void personalDataFound()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        QCOMPARE(kindsIn(QStringLiteral("pii"), text), QStringList {expected});
    }

    void ordinaryTextIsNotPersonalData_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("retina image") << QByteArray("<img src=\"icon@2x.png\">");
        QTest::newRow("package version") << QByteArray("npm i lodash@4.17.21 @types/node");
        QTest::newRow("decorator") << QByteArray("@Override public void run()");
        QTest::newRow("date and version") << QByteArray("released 2024-01-15 as 1.2.3 on 192.168.1.1");
        QTest::newRow("timestamp") << QByteArray("\"created\": 1700000000000");
        QTest::newRow("luhn failure") << QByteArray("4111 1111 1111 1112");
        QTest::newRow("bad iban checksum") << QByteArray("DE89 3704 0044 0532 0130 01");
        QTest::newRow("invalid ssn area") << QByteArray("000-12-3456 and 666-12-3456");
        QTest::newRow("uuid") << QByteArray("123e4567-e89b-12d3-a456-426614174000");
        QTest::newRow("arithmetic") << QByteArray("x = y + 12345; n = 10 - 5");
        QTest::newRow("long id") << QByteArray("order 98765432109876543210 shipped");
    }
    void ordinaryTextIsNotPersonalData()
    {
        QFETCH(QByteArray, text);
        QCOMPARE(kindsIn(QStringLiteral("pii"), text), QStringList());
    }

    void checks()
    {
        QVERIFY(GuardrailDetectors::luhnValid("79927398713"));
        QVERIFY(!GuardrailDetectors::luhnValid("79927398710"));
        QVERIFY(GuardrailDetectors::ibanValid("GB82 WEST 1234 5698 7654 32"));
        QVERIFY(!GuardrailDetectors::ibanValid("GB82 WEST 1234 5698 7654 33"));
        QVERIFY(!GuardrailDetectors::ibanValid("DE89370400440532013000123")); // wrong length for DE
        QVERIFY(GuardrailDetectors::shannonEntropy("aaaa") < 0.01);
    }

    void userRegexAndWords()
    {
        GuardrailRule ticket = rule(QStringLiteral("ticket"), QStringLiteral("regex"));
        ticket.pattern = QStringLiteral("ACME-[0-9]{6}");
        GuardrailRule names = rule(QStringLiteral("codenames"), QStringLiteral("words"));
        names.words = {QStringLiteral("Falcon"), QStringLiteral("blue sky")};
        const Guardrails guardrails = guard({ticket, names});
        const GuardrailCheck check = guardrails.checkRequest(
            R"({"content":"ACME-123456 for falcon and Blue Sky; falconry and ACME-12 stay"})", {});
        QCOMPARE(
            check.upstreamBody,
            QByteArray(R"({"content":"[TICKET_1] for [CODENAMES_1] and [CODENAMES_2]; falconry and ACME-12 stay"})"));
        QVERIFY(Guardrails::validate(ticket).isEmpty());
        ticket.pattern = QStringLiteral("a*");
        QVERIFY(Guardrails::validate(ticket).contains(QLatin1String("empty text")));
        ticket.pattern = QStringLiteral("(unclosed");
        QVERIFY(Guardrails::validate(ticket).contains(QLatin1String("RE2")));
        QVERIFY(Guardrails::validate(rule(QStringLiteral("x"), QStringLiteral("secretz")))
                    .contains(QLatin1String("secrets")));
    }

    void maskingIsStableAndRestorable()
    {
        const Guardrails guardrails
            = guard({rule(QStringLiteral("keys"), QStringLiteral("secrets")),
                     rule(QStringLiteral("people"), QStringLiteral("email"), GuardrailRule::Action::Log)});
        const QByteArray body
            = R"({"messages":[{"role":"user","content":"AKIAIOSFODNN7EXAMPLE, again AKIAIOSFODNN7EXAMPLE, mail ann@example.org"}]})";
        const GuardrailCheck check = guardrails.checkRequest(body, {});
        QVERIFY(check.masked);
        QCOMPARE(check.blockedRule, -1);
        // The same value gets the same placeholder; a log rule's value goes on but is never stored.
        QCOMPARE(
            check.upstreamBody,
            QByteArray(
                R"({"messages":[{"role":"user","content":"[SECRET_AWS_1], again [SECRET_AWS_1], mail ann@example.org"}]})"));
        QCOMPARE(
            check.storedBody,
            QByteArray(
                R"({"messages":[{"role":"user","content":"[SECRET_AWS_1], again [SECRET_AWS_1], mail [EMAIL_1]"}]})"));
        const QList<GuardrailHit> hits = check.session->hits();
        QCOMPARE(hits.size(), 2);
        QCOMPARE(hits.at(0),
                 (GuardrailHit {QStringLiteral("keys"), QStringLiteral("mask"), QStringLiteral("request"), 2}));
        QCOMPARE(hits.at(1),
                 (GuardrailHit {QStringLiteral("people"), QStringLiteral("log"), QStringLiteral("request"), 1}));
        QCOMPARE(check.session->restoreJson(R"({"content":"use [SECRET_AWS_1] not [SECRET_AWS_2]"})"),
                 QByteArray(R"({"content":"use AKIAIOSFODNN7EXAMPLE not [SECRET_AWS_2]"})"));
        QCOMPARE(check.session->remask("key AKIAIOSFODNN7EXAMPLE"), QByteArray("key [SECRET_AWS_1]"));
    }

    void onlyValuesInJsonStringsAreMaskedOnTheirWay()
    {
        const Guardrails guardrails = guard({rule(QStringLiteral("cards"), QStringLiteral("credit_card"))});
        // A JSON number that happens to pass Luhn is no card: masking it would break the JSON.
        const QByteArray body = R"({"seed":4111111111111111,"content":"pay 4111111111111111"})";
        const GuardrailCheck check = guardrails.checkRequest(body, {});
        QCOMPARE(check.upstreamBody, QByteArray(R"({"seed":4111111111111111,"content":"pay [CREDIT_CARD_1]"})"));
        QVERIFY(!check.storedBody.contains("4111111111111111")); // the log masks it anyway
        const QByteArray escaped = "{\"a\":\"x\\\"y\",\"b\":12}"; // {"a":"x\"y","b":12}
        QCOMPARE(JsonLocation::insideStrings(escaped, {{6, 7}, {9, 10}, {16, 18}}), (QList<bool> {true, true, false}));
    }

    void blockNamesRuleAndPlaceWithoutTheValue()
    {
        const Guardrails guardrails
            = guard({rule(QStringLiteral("no-aws"), QStringLiteral("aws_access_key"), GuardrailRule::Action::Block)});
        const GuardrailCheck check = guardrails.checkRequest(
            R"({"model":"m","messages":[{"role":"system","content":"hi"},{"role":"user","content":"AKIAIOSFODNN7EXAMPLE"}]})",
            {});
        QCOMPARE(check.blockedRule, 0);
        QCOMPARE(check.where, QStringLiteral("messages[1].content"));
        QVERIFY(check.blockMessage().contains(QLatin1String("'no-aws'")));
        QVERIFY(!check.blockMessage().contains(QLatin1String(AwsKey)));
        QVERIFY(!check.storedBody.contains(AwsKey));
    }

    void scopeSelectsRules()
    {
        GuardrailRule scoped = rule(QStringLiteral("scoped"), QStringLiteral("secrets"));
        scoped.models = {QStringLiteral("gpt-4.1")};
        scoped.clients = {QStringLiteral("claude-cli")};
        const Guardrails guardrails = guard({scoped});
        QCOMPARE(guardrails.rulesFor({QStringLiteral("gpt-4.1"), {}, "claude-cli/1.0.2 (external)"}, false),
                 QList<int> {0});
        QCOMPARE(guardrails.rulesFor({QStringLiteral("gpt-4.1"), {}, "curl/8"}, false), QList<int>());
        QCOMPARE(guardrails.rulesFor({QStringLiteral("other"), {}, "claude-cli/1"}, false), QList<int>());
        const QByteArray body = "{\"content\":\"" + AwsKey + "\"}";
        QVERIFY(!guardrails.checkRequest(body, {QStringLiteral("other"), {}, "claude-cli/1"}).masked);
        QVERIFY(guardrails.checkRequest(body, {QStringLiteral("gpt-4.1"), {}, "claude-cli/1"}).masked);

        // A rule switched off checks nothing, in the gateway and the try-it box.
        scoped.enabled = false;
        const Guardrails off = guard({scoped});
        QCOMPARE(off.rulesFor({QStringLiteral("gpt-4.1"), {}, "claude-cli/1"}, false), QList<int>());
        QVERIFY(!off.checkRequest(body, {QStringLiteral("gpt-4.1"), {}, "claude-cli/1"}).session);
        QCOMPARE(off.preview(QString::fromUtf8(AwsKey)).text, QString::fromUtf8(AwsKey));
    }

    void jsonLocation()
    {
        const QByteArray json = R"({"a":{"b":[1,{"c":"xyz"}]},"d":"q"})";
        QCOMPARE(JsonLocation::pathAt(json, json.indexOf("xyz")), QStringLiteral("a.b[1].c"));
        QCOMPARE(JsonLocation::pathAt(json, json.indexOf("\"q") + 1), QStringLiteral("d"));
    }

    void streamRestoresPlaceholdersSplitAcrossEvents()
    {
        const Guardrails guardrails = guard({rule(QStringLiteral("keys"), QStringLiteral("secrets"))});
        GuardrailCheck check = guardrails.checkRequest(R"({"content":"my key AKIAIOSFODNN7EXAMPLE"})", {});
        GuardrailStreamFilter filter(check.session);
        QString relayed;
        const auto feed = [&](const QString &piece) {
            for (const CanonicalEvent &event : filter.filter({CanonicalEvent::textDelta(piece)}))
                relayed += event.text;
        };
        feed(QStringLiteral("Your key is [SECRET_"));
        QCOMPARE(relayed, QStringLiteral("Your key is ")); // only the placeholder's start is held back
        // A usage report between the pieces (Gemini sends one in every chunk) passes without releasing it.
        QCOMPARE(filter.filter({CanonicalEvent::usageEvent(TokenUsage())}).size(), 1);
        feed(QStringLiteral("AWS_1] and done"));
        for (const CanonicalEvent &event : filter.filter({CanonicalEvent::finish(FinishReason::Stop)}))
            relayed += event.text;
        QCOMPARE(relayed, QStringLiteral("Your key is AKIAIOSFODNN7EXAMPLE and done"));
    }

    void streamRestoresEscapedValuesInTheirContext()
    {
        const Guardrails guardrails = guard({rule(QStringLiteral("keys"), QStringLiteral("private_key"))});
        // The request's JSON holds the key block with \n escapes.
        const GuardrailCheck check = guardrails.checkRequest(
            R"({"content":"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"})", {});
        QVERIFY(check.upstreamBody.contains("[SECRET_PRIVATE_KEY_1]"));
        GuardrailStreamFilter filter(check.session);
        const CanonicalEvents events = filter.filter(
            {CanonicalEvent::textDelta(QStringLiteral("key: [SECRET_PRIVATE_KEY_1] ")),
             CanonicalEvent::toolCallStart(0, QStringLiteral("c1"), QStringLiteral("write")),
             CanonicalEvent::toolArgumentsDelta(0, QStringLiteral(R"({"pem":"[SECRET_PRIVATE_KEY_1]"})")),
             CanonicalEvent::finish(FinishReason::ToolCalls)});
        QString text;
        QString arguments;
        for (const CanonicalEvent &event : events) {
            if (event.type == CanonicalEvent::Type::TextDelta)
                text += event.text;
            if (event.type == CanonicalEvent::Type::ToolArgumentsDelta)
                arguments += event.text;
        }
        // Text gets the key with its line breaks; the tool's JSON arguments get it escaped, and stay valid JSON.
        QCOMPARE(
            text,
            QStringLiteral("key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY----- "));
        const QJsonObject parsed = QJsonDocument::fromJson(arguments.toUtf8()).object();
        QCOMPARE(parsed.value(QLatin1String("pem")).toString(),
                 QStringLiteral("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"));
    }

    void streamResponseRulesSeeValuesSplitAcrossEvents()
    {
        const Guardrails guardrails = guard({rule(QStringLiteral("answers"), QStringLiteral("secrets"),
                                                  GuardrailRule::Action::Mask, GuardrailRule::Side::Response)});
        GuardrailCheck check = guardrails.checkRequest("hello", {});
        GuardrailStreamFilter filter(check.session);
        QString relayed;
        for (const QString &piece :
             {QStringLiteral("try AKIAIOS"), QStringLiteral("FODNN7EX"), QStringLiteral("AMPLE ok")}) {
            for (const CanonicalEvent &event : filter.filter({CanonicalEvent::textDelta(piece)}))
                relayed += event.text;
        }
        for (const CanonicalEvent &event : filter.filter({CanonicalEvent::finish(FinishReason::Stop)}))
            relayed += event.text;
        QCOMPARE(relayed, QStringLiteral("try [SECRET_AWS_1] ok"));
        QCOMPARE(check.session->hits().value(0).side, QStringLiteral("response"));

        const Guardrails blocking = guard({rule(QStringLiteral("stop"), QStringLiteral("secrets"),
                                                GuardrailRule::Action::Block, GuardrailRule::Side::Response)});
        GuardrailCheck blocked = blocking.checkRequest("hello", {});
        GuardrailStreamFilter stopper(blocked.session);
        QString seen;
        for (const CanonicalEvent &event :
             stopper.filter({CanonicalEvent::textDelta(QStringLiteral("a b AKIAIOSF")),
                             CanonicalEvent::textDelta(QStringLiteral("ODNN7EXAMPLE c"))}))
            seen += event.text;
        QVERIFY(stopper.blocked());
        QCOMPARE(seen, QStringLiteral("a b "));
        QVERIFY(stopper.blockMessage().contains(QLatin1String("'stop'")));
    }

    void previewShowsWhatTextBecomes()
    {
        const Guardrails guardrails
            = guard({rule(QStringLiteral("keys"), QStringLiteral("secrets")),
                     rule(QStringLiteral("cards"), QStringLiteral("credit_card"), GuardrailRule::Action::Block)});
        const Guardrails::Preview preview
            = guardrails.preview(QStringLiteral("AKIAIOSFODNN7EXAMPLE and 4111111111111111"));
        QCOMPARE(preview.text, QStringLiteral("[SECRET_AWS_1] and [CREDIT_CARD_1]"));
        QCOMPARE(preview.blockedBy, QStringLiteral("cards"));
        QCOMPARE(preview.hits.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestGuardrails)
#include "tst_guardrails.moc"
