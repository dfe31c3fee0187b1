#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include "common/RequestRecord.h"

namespace sluice::test {

// A record whose every field depends on n, with the unknown values (-1 tokens, no stream timing, no bodies)
// and binary bodies showing up across a run.
inline RequestRecord makeRecord(int n, const QDateTime &startedAt = QDateTime())
{
    RequestRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.startedAt = startedAt.isValid()
        ? startedAt
        : QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch() - n, Qt::UTC);
    record.tokenName = n % 3 == 0 ? QStringLiteral("laptop") : QStringLiteral("ci-bot-%1").arg(n % 7);
    record.endpoint = n % 2 ? QStringLiteral("/v1/chat/completions") : QStringLiteral("/v1/messages");
    record.requestedModel = QStringLiteral("gpt-4o-mini-%1").arg(n % 5);
    record.provider = n % 4 ? QStringLiteral("openai") : QStringLiteral("anthropic");
    record.upstreamModel = QStringLiteral("upstream-ü-%1").arg(n % 5);
    record.stream = n % 2 == 0;
    record.httpStatus = n % 10 == 0 ? 502 : 200;
    if (n % 10 == 0) {
        record.errorClass = QLatin1String(ErrorClass::UpstreamError);
        record.errorMessage = QStringLiteral("The provider answered 502 (attempt %1)").arg(n);
    }
    record.latencyUs = 1000 + n * 17;
    record.timeToFirstTokenUs = record.stream ? 300 + n : -1;
    record.inputTokens = n % 6 == 5 ? -1 : 100 + n;
    record.outputTokens = n % 6 == 4 ? -1 : 50 + n;
    record.cachedTokens = n % 3 == 1 ? -1 : n % 4;
    record.reasoningTokens = n % 2 ? -1 : 0;
    if (n % 8 != 7) {
        record.requestBody = QByteArrayLiteral("{\"model\":\"gpt-4o-mini\",\"n\":") + QByteArray::number(n) + '}';
        record.responseBody = n % 5 == 0 ? QByteArray() : QByteArray("data: \0binary\xff", 14) + QByteArray::number(n);
    }
    record.bodiesTruncated = n % 9 == 0;
    return record;
}

// Every field, compared one by one so a failure names it.
inline void verifySameRecord(const RequestRecord &actual, const RequestRecord &expected, bool withBodies = true)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.startedAt, expected.startedAt);
    QCOMPARE(actual.startedAt.timeSpec(), Qt::UTC);
    QCOMPARE(actual.tokenName, expected.tokenName);
    QCOMPARE(actual.endpoint, expected.endpoint);
    QCOMPARE(actual.requestedModel, expected.requestedModel);
    QCOMPARE(actual.provider, expected.provider);
    QCOMPARE(actual.upstreamModel, expected.upstreamModel);
    QCOMPARE(actual.stream, expected.stream);
    QCOMPARE(actual.httpStatus, expected.httpStatus);
    QCOMPARE(actual.errorClass, expected.errorClass);
    QCOMPARE(actual.errorMessage, expected.errorMessage);
    QCOMPARE(actual.latencyUs, expected.latencyUs);
    QCOMPARE(actual.timeToFirstTokenUs, expected.timeToFirstTokenUs);
    QCOMPARE(actual.inputTokens, expected.inputTokens);
    QCOMPARE(actual.outputTokens, expected.outputTokens);
    QCOMPARE(actual.cachedTokens, expected.cachedTokens);
    QCOMPARE(actual.reasoningTokens, expected.reasoningTokens);
    QCOMPARE(actual.bodiesTruncated, expected.bodiesTruncated);
    if (withBodies) {
        QCOMPARE(actual.requestBody, expected.requestBody);
        QCOMPARE(actual.responseBody, expected.responseBody);
    } else {
        QVERIFY(actual.requestBody.isEmpty());
        QVERIFY(actual.responseBody.isEmpty());
    }
}

// A plain connection for inspecting or tampering with a database from a test; removed on destruction.
class RawDatabase
{
public:
    explicit RawDatabase(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces)))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDatabase()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    bool exec(const QString &sql)
    {
        QSqlQuery query(db());
        return query.exec(sql);
    }
    QVariant scalar(const QString &sql)
    {
        QSqlQuery query(db());
        if (!query.exec(sql) || !query.next()) {
            return {};
        }
        return query.value(0);
    }

private:
    QString m_name;
};

} // namespace sluice::test
