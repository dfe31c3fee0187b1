#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

#include "GuiTestRecords.h"
#include "ui/GuardrailsPage.h"
#include "ui/LiveRequestsModel.h"
#include "ui/MainWindow.h"
#include "ui/RequestDetailPane.h"

using namespace sluice;
using namespace sluice::test;

namespace {
GuardrailSettings rules()
{
    GuardrailRule keys;
    keys.name = QStringLiteral("no-keys");
    keys.detect = QStringLiteral("secrets");
    keys.configLine = 40;
    GuardrailRule mail;
    mail.name = QStringLiteral("no-mail");
    mail.detect = QStringLiteral("email");
    mail.configLine = 44;
    GuardrailRule cards;
    cards.name = QStringLiteral("no-cards");
    cards.detect = QStringLiteral("credit_card");
    cards.action = GuardrailRule::Action::Block;
    cards.on = GuardrailRule::Side::Both;
    cards.configLine = 46;
    GuardrailRule tickets;
    tickets.name = QStringLiteral("tickets");
    tickets.detect = QStringLiteral("regex");
    tickets.pattern = QStringLiteral("ACME-[0-9]{6}");
    tickets.models = {QStringLiteral("claude-sonnet-4"), QStringLiteral("gpt-4.1")};
    tickets.restore = false;
    tickets.configLine = 47;
    GuardrailRule pii;
    pii.name = QStringLiteral("answers-pii");
    pii.detect = QStringLiteral("pii");
    pii.action = GuardrailRule::Action::Log;
    pii.on = GuardrailRule::Side::Response;
    pii.tokens = {QStringLiteral("ci")};
    pii.configLine = 52;
    return GuardrailSettings {{keys, mail, cards, tickets, pii}};
}

const QString Config = QStringLiteral("~/.config/sluice/sluice.yaml");

QString screenshotPath(const char *name)
{
    return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QString::fromLatin1(name));
}

// A masked request as the gateway logs it: placeholders in the body, the rules that fired on the row.
RequestRecord guardedRecord()
{
    RequestRecord record = GuiTestRecords::record(QStringLiteral("guarded-1"), GuiTestRecords::baseTime());
    record.requestedModel = QStringLiteral("claude-sonnet-4");
    record.provider = QStringLiteral("anthropic");
    record.upstreamModel = QStringLiteral("claude-sonnet-4-20250514");
    record.requestBody
        = R"({"model":"claude-sonnet-4","messages":[{"role":"user","content":"Deploy with [SECRET_AWS_1] and mail [EMAIL_1]."}]})";
    record.responseBody = R"({"content":[{"type":"text","text":"Done: used [SECRET_AWS_1]."}]})";
    record.guardrailHits
        = {GuardrailHit {QStringLiteral("no-keys"), QStringLiteral("mask"), QStringLiteral("request"), 2},
           GuardrailHit {QStringLiteral("no-mail"), QStringLiteral("mask"), QStringLiteral("request"), 1}};
    return record;
}

void typeAndWait(GuardrailsPage *page, const QString &text)
{
    QSignalSpy shown(page, &GuardrailsPage::previewShown);
    page->findChild<QPlainTextEdit *>(QStringLiteral("tryInput"))->setPlainText(text);
    page->tryNow();
    QVERIFY(shown.count() > 0 || shown.wait(3000));
    while (shown.wait(300)) { } // a result for an older text is dropped; wait for the last one
}
} // namespace

class TestGuardrailsPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR)));
    }

    void showsTheRulesWithTheirConfig()
    {
        GuardrailsPage page;
        QVERIFY(page.findChild<QLabel *>(QStringLiteral("guardrailsEmptyState"))->isVisibleTo(&page));
        page.setRules(rules(), Config);
        QStandardItemModel *model = page.rulesModel();
        QCOMPARE(model->rowCount(), 5);
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("no-keys"));
        QCOMPARE(model->index(2, 2).data().toString(), QStringLiteral("block"));
        QCOMPARE(model->index(2, 3).data().toString(), QStringLiteral("both"));
        QCOMPARE(model->index(3, 1).data().toString(), QStringLiteral("regex ACME-[0-9]{6}"));
        QCOMPARE(model->index(3, 4).data().toString(), QStringLiteral("no"));
        QCOMPARE(model->index(3, 5).data().toString(), QStringLiteral("models: claude-sonnet-4, gpt-4.1"));
        QCOMPARE(model->index(4, 5).data().toString(), QStringLiteral("tokens: ci"));
        QVERIFY(!page.findChild<QLabel *>(QStringLiteral("guardrailsEmptyState"))->isVisibleTo(&page));
        QVERIFY(page.findChild<QLabel *>(QStringLiteral("guardrailsSource"))->text().contains(Config));
    }

    void tryItShowsWhatATextBecomes()
    {
        GuardrailsPage page;
        page.setRules(rules(), Config);
        typeAndWait(&page, QStringLiteral("Deploy with AKIAIOSFODNN7EXAMPLE, mail ops@example.com"));
        auto *output = page.findChild<QPlainTextEdit *>(QStringLiteral("tryOutput"));
        QCOMPARE(output->toPlainText(), QStringLiteral("Deploy with [SECRET_AWS_1], mail [EMAIL_1]"));
        auto *result = page.findChild<QLabel *>(QStringLiteral("tryResult"));
        QVERIFY2(result->text().contains(QLatin1String("no-keys: masked 1 in the request")),
                 qPrintable(result->text()));

        typeAndWait(&page, QStringLiteral("pay with 4111 1111 1111 1111"));
        QVERIFY2(result->text().contains(QLatin1String("Blocked by rule 'no-cards'")), qPrintable(result->text()));

        typeAndWait(&page, QStringLiteral("nothing secret here"));
        QCOMPARE(output->toPlainText(), QStringLiteral("nothing secret here"));
        QVERIFY(result->text().contains(QLatin1String("No rule fires")));
    }

    void liveTableMarksGuardedRequestsAndTheDetailListsRules()
    {
        LiveRequestsModel model;
        RequestRecord plain = GuiTestRecords::record(QStringLiteral("plain-1"), GuiTestRecords::baseTime());
        model.appendRecords({plain, guardedRecord()});
        const int guardedRow
            = model.index(0, 0).data(LiveRequestsModel::IdRole).toString() == QLatin1String("guarded-1") ? 0 : 1;
        const QModelIndex guardedStatus = model.index(guardedRow, LiveRequestsModel::Status);
        const QModelIndex plainStatus = model.index(1 - guardedRow, LiveRequestsModel::Status);
        QVERIFY(guardedStatus.data(Qt::DecorationRole).value<QIcon>().availableSizes().size() > 0);
        QVERIFY(plainStatus.data(Qt::DecorationRole).isNull());
        QVERIFY(
            guardedStatus.data(Qt::ToolTipRole).toString().contains(QLatin1String("no-keys: masked 2 in the request")));
        QVERIFY(guardedStatus.data(LiveRequestsModel::FilterTextRole).toString().contains(QLatin1String("guardrail")));

        RequestDetailPane pane;
        pane.showRecord(guardedRecord());
        auto *rulesLabel = pane.findChild<QLabel *>(QStringLiteral("summaryGuardrails"));
        QVERIFY(rulesLabel->text().contains(QLatin1String("no-mail: masked 1 in the request")));
    }

    void screenshots_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void screenshots()
    {
        QFETCH(bool, dark);
        const QPalette original = QApplication::palette();
        if (dark)
            QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
            window.setGatewayState(GatewayState::Running);
            window.guardrailsPage()->setRules(rules(), Config);
            window.resize(1280, 760);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.showPage(MainWindow::Page::Guardrails);
            QVERIFY(window.guardrailsPage()->isVisible());
            typeAndWait(window.guardrailsPage(),
                        QStringLiteral("Deploy to prod with AKIAIOSFODNN7EXAMPLE and tell ops@example.com.\n"
                                       "Ticket ACME-204311 has the details."));
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath(dark ? "guardrails-page-dark.png" : "guardrails-page.png")));
            auto *table = window.guardrailsPage()->findChild<QTableView *>(QStringLiteral("guardrailRules"));
            const QPoint inTable = table->mapTo(&window, QPoint(table->width() - 4, table->height() - 4));
            QCOMPARE(shot.pixelColor(inTable).lightnessF() < 0.3, dark);

            // The live table and detail pane of a masked request.
            window.appendRecords({guardedRecord()});
            window.showPage(MainWindow::Page::Live);
            window.resize(1280, 860);
            auto *live = window.findChild<QTableView *>(QStringLiteral("liveTable"));
            QVERIFY(live);
            live->selectRow(0);
            QCoreApplication::processEvents();
            QVERIFY(window.grab().save(screenshotPath(dark ? "guarded-request-dark.png" : "guarded-request.png")));
        }
        QApplication::setPalette(original);
    }
};

QTEST_MAIN(TestGuardrailsPage)
#include "tst_guardrailspage.moc"
