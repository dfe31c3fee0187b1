#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include "common/RequestRecord.h"

namespace sluice::test {

// A record whose every field depends on n, with the unknown values (-1 tokens, no stream timing, no bodies, no
// cost), binary bodies and attempt timelines (none, one, a retry and a fallback, a skip) showing up across a run.
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
    record.cacheWriteTokens = n % 5 == 1 ? 1024 + n : -1;
    static const char *const statuses[]
        = {CostStatus::Exact, CostStatus::Estimated, CostStatus::Unpriced, CostStatus::Free, ""};
    record.costStatus = QLatin1String(statuses[n % 5]);
    record.costUsd = record.costStatus == QLatin1String(CostStatus::Free) ? 0.0
        : record.costStatus == QLatin1String(CostStatus::Exact)
            || record.costStatus == QLatin1String(CostStatus::Estimated)
        ? 0.000123 * (n + 1)
        : -1;
    static const char *const clients[] = {"Claude Code", "Codex CLI", "OpenAI SDK (Python)", "", "curl", "opencode"};
    record.client = QString::fromUtf8(clients[n % 6]);
    if (n % 3 == 1)
        record.tags = {QStringLiteral("ci")};
    else if (n % 3 == 2)
        record.tags = {QStringLiteral("ci"), QStringLiteral("refactor-ü")};
    record.project = n % 4 == 0 ? record.tokenName : QStringLiteral("project-%1").arg(n % 3);

    // Attempt timelines across a run: none (refused before routing), answered first time, a retry and a fallback,
    // and a deployment skipped with its circuit open before the one that gave up.
    const auto attempt = [n](const QString &deployment, const QString &decision) {
        AttemptRecord a;
        a.model = QStringLiteral("gpt-4o-mini-%1").arg(n % 5);
        a.deployment = deployment;
        a.provider = deployment.section(QLatin1Char('/'), 0, 0);
        a.upstreamModel = deployment.section(QLatin1Char('/'), 1);
        a.keyRef = QStringLiteral("keychain:%1").arg(a.provider);
        a.decision = decision;
        return a;
    };
    switch (n % 4) {
    case 0:
        record.attemptCount = 0;
        break;
    case 1: {
        AttemptRecord done = attempt(QStringLiteral("openai/gpt-4o-mini"), QStringLiteral("done"));
        done.latencyMs = 400 + n;
        done.httpStatus = 200;
        done.reason = QStringLiteral("HTTP 200: answered");
        record.attempts = {done};
        record.attemptCount = 1;
        record.deployment = done.deployment;
        break;
    }
    case 2: {
        AttemptRecord limited = attempt(QStringLiteral("openai/gpt-4o-mini"), QStringLiteral("retry"));
        limited.latencyMs = 180;
        limited.httpStatus = 429;
        limited.errorClass = QStringLiteral("rate_limit");
        limited.waitBeforeNextMs = 1200;
        limited.reason
            = QStringLiteral("HTTP 429: rate limited; retry 1 of 1 after 1.2 s (the provider asked to wait)");
        AttemptRecord failed = attempt(QStringLiteral("openai/gpt-4o-mini"), QStringLiteral("fallback"));
        failed.keyRef = QStringLiteral("env:OPENAI_KEY_2");
        failed.startedAtMs = 1380;
        failed.latencyMs = 2210;
        failed.httpStatus = 500;
        failed.errorClass = QStringLiteral("server_error");
        failed.reason = QStringLiteral("HTTP 500: server error; no retries left (attempts: 2); falling back to model "
                                       "'claude-sonnet-4' — „ü“");
        AttemptRecord done = attempt(QStringLiteral("anthropic/claude-sonnet-4-20250514"), QStringLiteral("done"));
        done.model = QStringLiteral("claude-sonnet-4");
        done.startedAtMs = 3590 + n;
        done.latencyMs = 1870;
        done.httpStatus = 200;
        done.reason = QStringLiteral("HTTP 200: answered");
        record.attempts = {limited, failed, done};
        record.attemptCount = 3;
        record.deployment = done.deployment;
        break;
    }
    default: {
        AttemptRecord skipped = attempt(QStringLiteral("azure/gpt-4o-mini"), QStringLiteral("skipped"));
        skipped.keyRef.clear();
        skipped.reason = QStringLiteral("circuit breaker open after repeated failures; next probe in 25 s");
        AttemptRecord timedOut = attempt(QStringLiteral("openai/gpt-4o-mini"), QStringLiteral("give_up"));
        timedOut.startedAtMs = 1;
        timedOut.latencyMs = 30000;
        timedOut.errorClass = QStringLiteral("timeout");
        timedOut.reason = QStringLiteral("timed out waiting for the provider's first byte");
        record.attempts = {skipped, timedOut};
        record.attemptCount = 1;
        record.deployment = timedOut.deployment;
        break;
    }
    }
    return record;
}

inline void verifySameAttempt(const AttemptRecord &actual, const AttemptRecord &expected)
{
    QCOMPARE(actual.model, expected.model);
    QCOMPARE(actual.deployment, expected.deployment);
    QCOMPARE(actual.provider, expected.provider);
    QCOMPARE(actual.upstreamModel, expected.upstreamModel);
    QCOMPARE(actual.keyRef, expected.keyRef);
    QCOMPARE(actual.startedAtMs, expected.startedAtMs);
    QCOMPARE(actual.latencyMs, expected.latencyMs);
    QCOMPARE(actual.httpStatus, expected.httpStatus);
    QCOMPARE(actual.errorClass, expected.errorClass);
    QCOMPARE(actual.decision, expected.decision);
    QCOMPARE(actual.waitBeforeNextMs, expected.waitBeforeNextMs);
    QCOMPARE(actual.reason, expected.reason);
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
    QCOMPARE(actual.cacheWriteTokens, expected.cacheWriteTokens);
    QCOMPARE(actual.costUsd, expected.costUsd);
    QCOMPARE(actual.costStatus, expected.costStatus);
    QCOMPARE(actual.attemptCount, expected.attemptCount);
    QCOMPARE(actual.deployment, expected.deployment);
    QCOMPARE(actual.client, expected.client);
    QCOMPARE(actual.tags, expected.tags);
    QCOMPARE(actual.project, expected.project);
    if (withBodies) {
        QCOMPARE(actual.requestBody, expected.requestBody);
        QCOMPARE(actual.responseBody, expected.responseBody);
        QCOMPARE(actual.attempts.size(), expected.attempts.size());
        for (qsizetype i = 0; i < expected.attempts.size(); ++i) {
            verifySameAttempt(actual.attempts.at(i), expected.attempts.at(i));
        }
    } else {
        QVERIFY(actual.requestBody.isEmpty());
        QVERIFY(actual.responseBody.isEmpty());
        QVERIFY(actual.attempts.isEmpty());
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
