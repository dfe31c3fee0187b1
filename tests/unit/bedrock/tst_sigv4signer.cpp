#include <QtTest>

#include "http/UpstreamRequest.h"
#include "providers/SigV4Signer.h"

using namespace sluice;

namespace {
// The AWS Signature Version 4 test suite's credentials, scope and time (aws-sig-v4-test-suite).
const AwsCredentials SuiteCredentials {
    QStringLiteral("AKIDEXAMPLE"), QStringLiteral("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), {}};
const QDateTime SuiteTime(QDate(2015, 8, 30), QTime(12, 36, 0), Qt::UTC);
const QByteArray EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const QByteArray SuiteCredential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

HttpHeaders suiteHeaders()
{
    return {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
}
} // namespace

class TestSigV4Signer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void publishedTestVectors_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QByteArray>("extraName");
        QTest::addColumn<QByteArray>("extraValue");
        QTest::addColumn<QByteArray>("signedHeaders");
        QTest::addColumn<QByteArray>("signature");
        QTest::newRow("get-vanilla") << QByteArray("GET") << QStringLiteral("https://example.amazonaws.com/")
                                     << QByteArray() << QByteArray() << QByteArray("host;x-amz-date")
                                     << QByteArray("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        QTest::newRow("post-vanilla") << QByteArray("POST") << QStringLiteral("https://example.amazonaws.com/")
                                      << QByteArray() << QByteArray() << QByteArray("host;x-amz-date")
                                      << QByteArray("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
        QTest::newRow("get-vanilla-query-order-key-case")
            << QByteArray("GET") << QStringLiteral("https://example.amazonaws.com/?Param2=value2&Param1=value1")
            << QByteArray() << QByteArray() << QByteArray("host;x-amz-date")
            << QByteArray("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
        QTest::newRow("post-header-value-case")
            << QByteArray("POST") << QStringLiteral("https://example.amazonaws.com/") << QByteArray("My-Header1")
            << QByteArray("VALUE1") << QByteArray("host;my-header1;x-amz-date")
            << QByteArray("cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d");
    }

    void publishedTestVectors()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, url);
        QFETCH(QByteArray, extraName);
        QFETCH(QByteArray, extraValue);
        QFETCH(QByteArray, signedHeaders);
        QFETCH(QByteArray, signature);
        HttpHeaders headers = suiteHeaders();
        if (!extraName.isEmpty())
            headers.append(extraName, extraValue);
        const SigV4Signer signer(SuiteCredentials, QStringLiteral("us-east-1"), QStringLiteral("service"));
        const SigV4Signer::Signature result = signer.sign(method, QUrl(url), headers, EmptySha256, SuiteTime);
        QCOMPARE(result.signedHeaders, signedHeaders);
        QCOMPARE(result.signature, signature);
        QCOMPARE(result.authorization, SuiteCredential + "SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    }

    void canonicalRequestAndStringToSignMatchTheSuite()
    {
        const SigV4Signer signer(SuiteCredentials, QStringLiteral("us-east-1"), QStringLiteral("service"));
        const SigV4Signer::Signature result = signer.sign("GET", QUrl(QStringLiteral("https://example.amazonaws.com/")),
                                                          suiteHeaders(), EmptySha256, SuiteTime);
        QCOMPARE(result.canonicalRequest,
                 QByteArray("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n")
                     + EmptySha256);
        QCOMPARE(result.stringToSign,
                 QByteArray("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"));
    }

    // Bedrock model ids carry ':' which goes on the wire as %3A and is signed encoded once more (%253A).
    void bedrockRequestIsSignedAsSent()
    {
        UpstreamRequest request;
        request.url = QUrl(QStringLiteral("https://bedrock-runtime.us-west-2.amazonaws.com/model/"
                                          "anthropic.claude-3-haiku-20240307-v1%3A0/converse"));
        request.body = R"({"messages":[]})";
        request.headers.append("Content-Type", "application/json");
        request.headers.append("Accept", "application/json");
        const AwsCredentials credentials {QStringLiteral("AKIDEXAMPLE"),
                                          QStringLiteral("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                          QStringLiteral("session-token-value")};
        const SigV4Signer signer(credentials, QStringLiteral("us-west-2"), QStringLiteral("bedrock"));
        signer.signRequest(request, SuiteTime);

        QCOMPARE(request.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority),
                 QByteArray("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"));
        QCOMPARE(request.headers.value("x-amz-date"), QByteArray("20150830T123600Z"));
        QCOMPARE(request.headers.value("x-amz-content-sha256"), SigV4Signer::sha256Hex(request.body));
        QCOMPARE(request.headers.value("x-amz-security-token"), QByteArray("session-token-value"));
        const QByteArray authorization = request.headers.value("Authorization");
        QVERIFY2(authorization.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/bedrock/"
                                          "aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;"
                                          "x-amz-date;x-amz-security-token, Signature="),
                 authorization.constData());

        // The same signature from the explicit canonical form: the path double-encoded, Host without port.
        HttpHeaders signedFields {{"host", "bedrock-runtime.us-west-2.amazonaws.com"},
                                  {"content-type", "application/json"},
                                  {"x-amz-date", "20150830T123600Z"},
                                  {"x-amz-content-sha256", SigV4Signer::sha256Hex(request.body)},
                                  {"x-amz-security-token", "session-token-value"}};
        const SigV4Signer::Signature expected
            = signer.sign("POST", request.url, signedFields, SigV4Signer::sha256Hex(request.body), SuiteTime);
        QVERIFY(expected.canonicalRequest.startsWith(
            "POST\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n\n"));
        QCOMPARE(authorization, expected.authorization);
        QVERIFY(!authorization.contains("session-token-value"));
    }

    void aDifferentBodyOrSecretChangesTheSignature()
    {
        auto signWith = [](const QByteArray &body, const QString &secret) {
            UpstreamRequest request;
            request.url = QUrl(QStringLiteral("http://127.0.0.1:4567/model/m/converse"));
            request.body = body;
            SigV4Signer(AwsCredentials {QStringLiteral("AKID"), secret, {}}, QStringLiteral("us-east-1"),
                        QStringLiteral("bedrock"))
                .signRequest(request, SuiteTime);
            return request.headers.value("Authorization");
        };
        const QByteArray base = signWith("{}", QStringLiteral("secret-one"));
        QVERIFY(base != signWith("{ }", QStringLiteral("secret-one")));
        QVERIFY(base != signWith("{}", QStringLiteral("secret-two")));
        QVERIFY(!base.contains("secret-one"));
        // A non-default port is part of the Host header and so of what is signed.
        const SigV4Signer signer(AwsCredentials {QStringLiteral("AKID"), QStringLiteral("secret-one"), {}},
                                 QStringLiteral("us-east-1"), QStringLiteral("bedrock"));
        const QByteArray hash = SigV4Signer::sha256Hex("{}");
        const SigV4Signer::Signature withPort = signer.sign(
            "POST", QUrl(QStringLiteral("http://127.0.0.1:4567/model/m/converse")),
            {{"host", "127.0.0.1:4567"}, {"x-amz-date", "20150830T123600Z"}, {"x-amz-content-sha256", hash}}, hash,
            SuiteTime);
        QCOMPARE(base, withPort.authorization);
    }

    void uriEncodingKeepsOnlyUnreservedCharacters()
    {
        QCOMPARE(SigV4Signer::uriEncode("a-b_c.d~e/f g:h%", true), QByteArray("a-b_c.d~e/f%20g%3Ah%25"));
        QCOMPARE(SigV4Signer::uriEncode("a/b", false), QByteArray("a%2Fb"));
    }
};

QTEST_GUILESS_MAIN(TestSigV4Signer)
#include "tst_sigv4signer.moc"
