#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFont>
#include <QSignalSpy>
#include <QTest>

#include "GuiTestRecords.h"
#include "ui/LiveRequestsFilterModel.h"
#include "ui/LiveRequestsModel.h"
#include "ui/RecordFormat.h"

using namespace sluice;
using sluice::test::GuiTestRecords;

class TestLiveRequestsModel : public QObject
{
    Q_OBJECT

private:
    static RequestRecords batch(int first, int count)
    {
        RequestRecords records;
        for (int i = first; i < first + count; ++i)
            records.append(GuiTestRecords::record(QStringLiteral("id-%1").arg(i, 3, 10, QLatin1Char('0')),
                                                  GuiTestRecords::baseTime().addSecs(i)));
        return records;
    }
    static QString cell(const QAbstractItemModel &model, int row, int column)
    {
        return model.index(row, column).data().toString();
    }
    static double contrast(const QColor &a, const QColor &b)
    {
        const auto luminance = [](const QColor &c) {
            const auto channel = [](float v) {
                return v <= 0.03928f ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
            };
            return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
        };
        const double la = luminance(a);
        const double lb = luminance(b);
        return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
    }

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void eachBatchIsOneInsertionNewestFirst()
    {
        LiveRequestsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // Within a batch the writer's order is not start order: the table still shows newest first.
        RequestRecords first = batch(0, 5);
        std::reverse(first.begin(), first.begin() + 3);
        model.appendRecords(first);
        model.appendRecords(batch(5, 5));
        model.appendRecords(batch(10, 5));

        QCOMPARE(inserted.count(), 3);
        for (const QList<QVariant> &args : inserted) {
            QCOMPARE(args.at(1).toInt(), 0);
            QCOMPARE(args.at(2).toInt(), 4);
        }
        QCOMPARE(model.rowCount(), 15);
        for (int row = 0; row < 15; ++row)
            QCOMPARE(model.record(row).id, QStringLiteral("id-%1").arg(14 - row, 3, 10, QLatin1Char('0')));
    }

    void duplicatesAreNotShownTwice()
    {
        LiveRequestsModel model;
        model.appendRecords(batch(0, 3));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.appendRecords(batch(2, 3));
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.first().at(2).toInt(), 1);
    }

    void trimsTheOldestRowsBeyondTheWindow()
    {
        LiveRequestsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMaxRows(12);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.appendRecords(batch(0, 5));
        model.appendRecords(batch(5, 5));
        QCOMPARE(removed.count(), 0);
        model.appendRecords(batch(10, 5));

        QCOMPARE(model.rowCount(), 12);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.first().at(1).toInt(), 12);
        QCOMPARE(removed.first().at(2).toInt(), 14);
        QCOMPARE(model.record(0).id, QStringLiteral("id-014"));
        QCOMPARE(model.record(11).id, QStringLiteral("id-003"));
        QVERIFY(!model.contains(QStringLiteral("id-002")));
        // A batch larger than the window keeps only its newest records.
        model.appendRecords(batch(100, 30));
        QCOMPARE(model.rowCount(), 12);
        QCOMPARE(model.record(0).id, QStringLiteral("id-129"));
        QCOMPARE(model.record(11).id, QStringLiteral("id-118"));
    }

    void olderRecordsGoToTheBottom()
    {
        LiveRequestsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMaxRows(8);
        model.appendRecords(batch(10, 3));
        RequestRecords history = batch(4, 7); // id-010 is already live
        std::reverse(history.begin(), history.end());
        model.appendOlderRecords(history);
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(model.record(0).id, QStringLiteral("id-012"));
        QCOMPARE(model.record(3).id, QStringLiteral("id-009"));
        QCOMPARE(model.record(7).id, QStringLiteral("id-005"));
        QVERIFY(!model.hasBodies(3));
    }

    void keepsBodiesOnlyForTheNewestRows()
    {
        LiveRequestsModel model;
        model.setBodyRows(2);
        RequestRecords records = batch(0, 3);
        for (RequestRecord &r : records)
            r.requestBody = QByteArrayLiteral("{\"model\":\"gpt-4.1-mini\"}");
        model.appendRecords(records.mid(0, 1));
        model.appendRecords(records.mid(1, 2));
        QVERIFY(model.hasBodies(0));
        QVERIFY(model.hasBodies(1));
        QVERIFY(!model.hasBodies(2));
        QVERIFY(model.record(2).requestBody.isEmpty());
        QCOMPARE(model.record(0).requestBody, records.at(2).requestBody);
    }

    void showsWhatUsersRead()
    {
        LiveRequestsModel model;
        RequestRecord ok = GuiTestRecords::record(QStringLiteral("a"), GuiTestRecords::baseTime());
        ok.latencyUs = 1'234'560;
        ok.timeToFirstTokenUs = -1;
        ok.inputTokens = 12'345;
        ok.cachedTokens = 0;
        ok.reasoningTokens = -1;
        RequestRecord failed = GuiTestRecords::record(QStringLiteral("b"), GuiTestRecords::baseTime().addSecs(1));
        failed.httpStatus = 502;
        failed.errorClass = QLatin1String(ErrorClass::UpstreamError);
        failed.errorMessage = QStringLiteral("openai answered 502 Bad Gateway");
        failed.tokenName.clear();
        failed.stream = true;
        model.appendRecords({ok, failed});

        QCOMPARE(cell(model, 1, LiveRequestsModel::Time),
                 GuiTestRecords::baseTime().toLocalTime().toString(QStringLiteral("HH:mm:ss")));
        QCOMPARE(cell(model, 1, LiveRequestsModel::Latency), QStringLiteral("1,234.6 ms"));
        QCOMPARE(cell(model, 1, LiveRequestsModel::TimeToFirstToken), QStringLiteral("—"));
        QCOMPARE(cell(model, 1, LiveRequestsModel::InputTokens), QStringLiteral("12,345"));
        QCOMPARE(cell(model, 1, LiveRequestsModel::CachedTokens), QStringLiteral("0"));
        QCOMPARE(cell(model, 1, LiveRequestsModel::ReasoningTokens), QStringLiteral("—"));
        QCOMPARE(cell(model, 1, LiveRequestsModel::Status), QStringLiteral("200"));
        QCOMPARE(cell(model, 1, LiveRequestsModel::Stream), QStringLiteral("No"));
        QCOMPARE(model.index(1, LiveRequestsModel::Model).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("openai / gpt-4.1-mini-2025-04-14"));

        QCOMPARE(cell(model, 0, LiveRequestsModel::Status), QStringLiteral("502 Upstream error"));
        QCOMPARE(model.index(0, LiveRequestsModel::Status).data(Qt::ToolTipRole).toString(), failed.errorMessage);
        QCOMPARE(cell(model, 0, LiveRequestsModel::Token), QStringLiteral("—"));
        QCOMPARE(cell(model, 0, LiveRequestsModel::Stream), QStringLiteral("Yes"));
        QCOMPARE(model.headerData(LiveRequestsModel::TimeToFirstToken, Qt::Horizontal).toString(),
                 QStringLiteral("TTFT"));
    }

    void attemptsColumnCountsAndHighlightsRetries()
    {
        LiveRequestsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // As the gateway hands it over: the attempts only, the count is derived from them.
        RequestRecord fallback = GuiTestRecords::fallback();
        QCOMPARE(fallback.attemptCount, 0);
        RequestRecord once = GuiTestRecords::record(QStringLiteral("once"), GuiTestRecords::baseTime());
        once.attempts = {GuiTestRecords::answered(once)};
        RequestRecord refused
            = GuiTestRecords::record(QStringLiteral("refused"), GuiTestRecords::baseTime().addSecs(1));
        refused.provider.clear();
        RequestRecord old = GuiTestRecords::record(QStringLiteral("old"), GuiTestRecords::baseTime().addSecs(-60));
        old.attemptCount = -1; // read from a log written before attempts were recorded
        model.appendRecords({fallback, once, refused, old});

        const auto rowOf = [&](const QString &id) {
            for (int row = 0; row < model.rowCount(); ++row) {
                if (model.record(row).id == id)
                    return row;
            }
            return -1;
        };
        const auto index = [&](const QString &id) {
            return model.index(rowOf(id), LiveRequestsModel::Attempts);
        };
        QCOMPARE(model.headerData(LiveRequestsModel::Attempts, Qt::Horizontal).toString(), QStringLiteral("Attempts"));
        QCOMPARE(index(fallback.id).data().toString(), QStringLiteral("3"));
        QCOMPARE(index(once.id).data().toString(), QStringLiteral("1"));
        QCOMPARE(index(refused.id).data().toString(), QStringLiteral("0"));
        QCOMPARE(index(old.id).data().toString(), QStringLiteral("—"));

        // More than one attempt stands out: bold, in the warning colour; a single attempt looks like any cell.
        QVERIFY(index(fallback.id).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(index(fallback.id).data(Qt::ForegroundRole).value<QColor>(),
                 RecordFormat::color(RecordFormat::Tone::Warning, QGuiApplication::palette()));
        QVERIFY(!index(once.id).data(Qt::FontRole).isValid());
        QVERIFY(!index(once.id).data(Qt::ForegroundRole).isValid());
        QVERIFY(index(fallback.id)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("anthropic/claude-sonnet-4-20250514")));
        QVERIFY(index(old.id).data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Not recorded")));

        // Sorting puts the requests that needed retries together.
        LiveRequestsFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(LiveRequestsModel::Attempts, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(LiveRequestsModel::IdRole).toString(), fallback.id);
        // The answering deployment can be searched for.
        proxy.setSearchText(QStringLiteral("anthropic/claude-sonnet"));
        QCOMPARE(proxy.rowCount(), 1);
    }

    void costColumnSaysWhatItKnows()
    {
        struct Case
        {
            const char *status;
            double usd;
            const char *shown;
        };
        const Case cases[] = {
            {CostStatus::Exact, 0.0012, "$0.0012"},
            {CostStatus::Exact, 0.00978, "$0.0098"},
            {CostStatus::Exact, 0.0003675, "$0.00037"},
            {CostStatus::Exact, 0.0000372, "$0.000037"},
            {CostStatus::Exact, 0.00000004, "<$0.000001"},
            {CostStatus::Exact, 12.3456789, "$12.3457"},
            {CostStatus::Exact, 1234.5, "$1,234.5000"},
            {CostStatus::Exact, 0.0, "$0.0000"},
            {CostStatus::Estimated, 0.0012, "≈$0.0012"},
            {CostStatus::Unpriced, -1, "unpriced"},
            {CostStatus::Unpriced, 0.0, "unpriced"}, // never $0, even if a cost slipped in
            {CostStatus::Free, 0.0, "free"},
            {"", -1, "—"}, // logged before costs were recorded
        };
        LiveRequestsModel model;
        RequestRecords records;
        for (int i = 0; i < int(std::size(cases)); ++i) {
            RequestRecord r
                = GuiTestRecords::record(QStringLiteral("c%1").arg(i), GuiTestRecords::baseTime().addSecs(-i));
            r.costStatus = QLatin1String(cases[i].status);
            r.costUsd = cases[i].usd;
            records.append(r);
        }
        model.appendRecords(records);
        QCOMPARE(model.headerData(LiveRequestsModel::Cost, Qt::Horizontal).toString(), QStringLiteral("Cost"));
        const QPalette palette = QGuiApplication::palette();
        for (int i = 0; i < int(std::size(cases)); ++i) {
            QCOMPARE(model.record(i).id, QStringLiteral("c%1").arg(i));
            const QModelIndex cell = model.index(i, LiveRequestsModel::Cost);
            QCOMPARE(cell.data().toString(), QString::fromUtf8(cases[i].shown));
            QCOMPARE(cell.data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignHorizontal_Mask,
                     Qt::AlignRight);
        }
        // Unpriced is a warning (spend totals leave it out); the tooltip says what to do.
        const QModelIndex unpriced = model.index(9, LiveRequestsModel::Cost);
        QCOMPARE(unpriced.data(Qt::ForegroundRole).value<QColor>(),
                 RecordFormat::color(RecordFormat::Tone::Warning, palette));
        QVERIFY(unpriced.data(Qt::ToolTipRole).toString().contains(QStringLiteral("prices.overrides")));
        QVERIFY(model.index(8, LiveRequestsModel::Cost)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("estimated")));

        // Sorted by value: unpriced and unknown costs below every priced one, not mixed in as $0.
        LiveRequestsFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(LiveRequestsModel::Cost, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, LiveRequestsModel::Cost).data().toString(), QStringLiteral("$1,234.5000"));
        QStringList bottom;
        for (int row = proxy.rowCount() - 3; row < proxy.rowCount(); ++row)
            bottom << proxy.index(row, LiveRequestsModel::Cost).data().toString();
        bottom.sort();
        QCOMPARE(bottom, (QStringList {QStringLiteral("unpriced"), QStringLiteral("unpriced"), QStringLiteral("—")}));
        // And searchable by status.
        proxy.setSearchText(QStringLiteral("unpriced"));
        QCOMPARE(proxy.rowCount(), 2);
    }

    void cacheHitsShowCachedNotACost()
    {
        LiveRequestsModel model;
        RequestRecord hit = GuiTestRecords::record(QStringLiteral("hit"), GuiTestRecords::baseTime());
        hit.cacheHit = true;
        hit.costStatus = QLatin1String(CostStatus::Cached);
        hit.costUsd = 0;
        hit.savedUsd = 0.0012;
        model.appendRecords({hit});
        const QModelIndex cell = model.index(0, LiveRequestsModel::Cost);
        QCOMPARE(cell.data().toString(), QStringLiteral("cached"));
        QVERIFY2(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("saved $0.0012")),
                 qPrintable(cell.data(Qt::ToolTipRole).toString()));
        QCOMPARE(cell.data(Qt::ForegroundRole).value<QColor>(),
                 QGuiApplication::palette().color(QPalette::PlaceholderText));
    }

    void sampleShowsAttemptsAndCostsAsLogged()
    {
        LiveRequestsModel model;
        model.appendRecords(GuiTestRecords::sample());
        QMap<QString, int> attempts;
        QSet<QString> costs;
        for (int row = 0; row < model.rowCount(); ++row) {
            ++attempts[model.index(row, LiveRequestsModel::Attempts).data().toString()];
            costs.insert(model.index(row, LiveRequestsModel::Cost).data().toString());
        }
        // The fallback story, the 502 retried once, the 401 refused before routing, the rest answered at once.
        QCOMPARE(attempts,
                 (QMap<QString, int> {{QStringLiteral("3"), 1},
                                      {QStringLiteral("2"), 1},
                                      {QStringLiteral("0"), 1},
                                      {QStringLiteral("1"), 17}}));
        QVERIFY(costs.contains(QStringLiteral("$0.0098")));
        QVERIFY(costs.contains(QStringLiteral("unpriced")));
        QVERIFY(std::any_of(costs.begin(), costs.end(),
                            [](const QString &c) { return c.startsWith(QStringLiteral("≈$")); }));
        QVERIFY(!costs.contains(QStringLiteral("—")));
    }

    void statusColoursStayReadableInLightAndDarkThemes()
    {
        LiveRequestsModel model;
        RequestRecord ok = GuiTestRecords::record(QStringLiteral("ok"), GuiTestRecords::baseTime());
        RequestRecord denied = GuiTestRecords::record(QStringLiteral("denied"), GuiTestRecords::baseTime().addSecs(1));
        denied.httpStatus = 401;
        denied.errorClass = QLatin1String(ErrorClass::Authentication);
        RequestRecord failed = GuiTestRecords::record(QStringLiteral("failed"), GuiTestRecords::baseTime().addSecs(2));
        failed.httpStatus = 502;
        failed.errorClass = QLatin1String(ErrorClass::UpstreamError);
        model.appendRecords({ok, denied, failed});

        const QPalette original = QApplication::palette();
        for (const QPalette &palette : {original, GuiTestRecords::darkPalette()}) {
            QApplication::setPalette(palette);
            QSet<QRgb> colours;
            for (int row = 0; row < 3; ++row) {
                const QColor colour
                    = model.index(row, LiveRequestsModel::Status).data(Qt::ForegroundRole).value<QColor>();
                QVERIFY2(contrast(colour, palette.color(QPalette::Base)) >= 4.5, qPrintable(colour.name()));
                QVERIFY2(contrast(colour, palette.color(QPalette::AlternateBase)) >= 4.5, qPrintable(colour.name()));
                colours.insert(colour.rgb());
            }
            QCOMPARE(colours.size(), 3); // success, client error and upstream failure are told apart
        }
        QApplication::setPalette(original);
    }

    void searchBoxFiltersByModelProviderTokenAndStatus()
    {
        LiveRequestsModel model;
        model.appendRecords(GuiTestRecords::sample());
        LiveRequestsFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(proxy.rowCount(), 20);

        const auto rowsMatching = [&](const std::function<bool(const RequestRecord &)> &predicate) {
            int n = 0;
            for (int row = 0; row < model.rowCount(); ++row)
                n += predicate(model.record(row)) ? 1 : 0;
            return n;
        };
        proxy.setSearchText(QStringLiteral("GROQ"));
        QCOMPARE(proxy.rowCount(),
                 rowsMatching([](const RequestRecord &r) { return r.provider == QLatin1String("groq"); }));
        QVERIFY(proxy.rowCount() > 0);
        proxy.setSearchText(QStringLiteral("502"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, LiveRequestsModel::Status).data().toString(), QStringLiteral("502 Upstream error"));
        proxy.setSearchText(QStringLiteral("aider deepseek-reasoner"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("authentication"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("gpt-4.1-mini-2025"));
        QCOMPARE(proxy.rowCount(), rowsMatching([](const RequestRecord &r) {
                     return r.upstreamModel == QLatin1String("gpt-4.1-mini-2025-04-14");
                 }));
        proxy.setSearchText(QStringLiteral("no-such-model"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(QString());
        QCOMPARE(proxy.rowCount(), 20);

        // Live rows that do not match stay hidden.
        proxy.setSearchText(QStringLiteral("groq"));
        const int groq = proxy.rowCount();
        RequestRecord extra = GuiTestRecords::record(QStringLiteral("extra"), GuiTestRecords::baseTime().addDays(1));
        model.appendRecords({extra});
        QCOMPARE(proxy.rowCount(), groq);
    }

    void sortsByValueNotByText()
    {
        LiveRequestsModel model;
        RequestRecords records;
        for (qint64 latencyMs : {950, 12'000, 1'200, 80}) {
            RequestRecord r
                = GuiTestRecords::record(QString::number(latencyMs), GuiTestRecords::baseTime().addMSecs(latencyMs));
            r.latencyUs = latencyMs * 1000;
            records.append(r);
        }
        model.appendRecords(records);
        LiveRequestsFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(LiveRequestsModel::Latency, Qt::AscendingOrder);
        QStringList order;
        for (int row = 0; row < proxy.rowCount(); ++row)
            order.append(proxy.index(row, LiveRequestsModel::Latency).data().toString());
        QCOMPARE(order,
                 (QStringList {QStringLiteral("80.0 ms"), QStringLiteral("950.0 ms"), QStringLiteral("1,200.0 ms"),
                               QStringLiteral("12,000.0 ms")}));
    }
};

QTEST_MAIN(TestLiveRequestsModel)
#include "tst_liverequestsmodel.moc"
