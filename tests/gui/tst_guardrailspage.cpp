#include <functional>

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "GuiTestRecords.h"
#include "config/ConfigLoader.h"
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

const QString ShownConfig = QStringLiteral("~/.config/sluice/sluice.yaml");

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

// A config file with two models and one rule, as a user would have it.
const QByteArray EditableConfig = "# my guardrails\n"
                                  "providers:\n  - {name: openai, type: openai, api_key: env:OPENAI_API_KEY}\n"
                                  "models:\n  - {name: gpt-4.1, provider: openai}\n"
                                  "  - {name: claude-sonnet-4, provider: openai}\n"
                                  "guardrails:\n"
                                  "  rules:\n"
                                  "    # keys never leave\n"
                                  "    - name: no-keys\n"
                                  "      detect: secrets\n"
                                  "      action: mask\n";

QByteArray fileText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

GuardrailSettings loaded(const QString &path)
{
    const Result<sluice::Config> config = ConfigLoader::loadFile(path);
    return config.ok() ? config->guardrails : GuardrailSettings {};
}

template<typename T>
T *child(QWidget *parent, const char *name)
{
    T *found = parent->findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qWarning("no widget %s", name);
    return found;
}

// Waits for the page's next background result (a check, save, switch or removal).
bool waitIdle(GuardrailsPage *page, const std::function<void()> &action)
{
    QSignalSpy idle(page, &GuardrailsPage::idle);
    action();
    return idle.wait(5000);
}

void setCombo(QComboBox *combo, const QString &data)
{
    combo->setCurrentIndex(combo->findData(data));
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
        page.setRules(rules(), ShownConfig);
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
        QVERIFY(page.findChild<QLabel *>(QStringLiteral("guardrailsSource"))->text().contains(ShownConfig));
    }

    void tryItShowsWhatATextBecomes()
    {
        GuardrailsPage page;
        page.setRules(rules(), ShownConfig);
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

    void addsARuleCheckedByTheLoaderAndTriedBeforeItIsSaved()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(EditableConfig) == EditableConfig.size());
        file.close();
        GuardrailsPage page;
        page.setRules(loaded(path), path);
        QCOMPARE(page.rulesModel()->rowCount(), 1);
        QVERIFY(!page.isEditing());
        child<QPushButton>(&page, "addRuleButton")->click();
        QVERIFY(page.isEditing());

        // A broken regex: the loader's message, at the pattern field; nothing written.
        child<QLineEdit>(&page, "ruleName")->setText(QStringLiteral("tickets"));
        setCombo(child<QComboBox>(&page, "ruleDetect"), QStringLiteral("regex"));
        child<QLineEdit>(&page, "rulePattern")->setText(QStringLiteral("ACME-([0-9]{6}"));
        QVERIFY(waitIdle(&page, [&] { page.checkNow(); }));
        auto *patternError = child<QLabel>(&page, "patternError");
        QVERIFY(patternError->isVisibleTo(&page));
        QVERIFY2(patternError->text().startsWith(QLatin1String("pattern is not a valid RE2 regular expression")),
                 qPrintable(patternError->text()));
        QVERIFY(!child<QLabel>(&page, "nameError")->isVisibleTo(&page));
        // Saving it is refused the same way.
        QVERIFY(waitIdle(&page, [&] { child<QPushButton>(&page, "saveRuleButton")->click(); }));
        QVERIFY(page.isEditing());
        QVERIFY(patternError->isVisibleTo(&page));
        QCOMPARE(fileText(path), EditableConfig);

        // Fixed: the try-it box uses the unsaved rule.
        child<QLineEdit>(&page, "rulePattern")->setText(QStringLiteral("ACME-[0-9]{6}"));
        QVERIFY(waitIdle(&page, [&] { page.checkNow(); }));
        QVERIFY(!patternError->isVisibleTo(&page));
        typeAndWait(&page, QStringLiteral("Ticket ACME-204311 and AKIAIOSFODNN7EXAMPLE"));
        QCOMPARE(page.findChild<QPlainTextEdit *>(QStringLiteral("tryOutput"))->toPlainText(),
                 QStringLiteral("Ticket [TICKETS_1] and [SECRET_AWS_1]"));
        QVERIFY(child<QLabel>(&page, "tryDraftNote")->text().contains(QLatin1String("unsaved rule 'tickets'")));
        QCOMPARE(fileText(path), EditableConfig);

        // Saved: through the config writer (comments kept), and in force.
        QVERIFY(waitIdle(&page, [&] { child<QPushButton>(&page, "saveRuleButton")->click(); }));
        QVERIFY(!page.isEditing());
        const QByteArray written = fileText(path);
        QVERIFY2(written.startsWith(EditableConfig), written.constData());
        QVERIFY2(written.contains("    - name: tickets\n      detect: regex\n      pattern: \"ACME-[0-9]{6}\"\n"),
                 written.constData());
        QCOMPARE(loaded(path).rules.size(), 2);
        QCOMPARE(page.rulesModel()->rowCount(), 2);
        QCOMPARE(page.rulesModel()->index(1, 1).data().toString(), QStringLiteral("regex ACME-[0-9]{6}"));
        QVERIFY(child<QLabel>(&page, "guardrailsStatus")->text().contains(QLatin1String("next request")));
    }

    void editsSwitchesOffAndRemovesRules()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(EditableConfig) == EditableConfig.size());
        file.close();
        GuardrailsPage page;
        page.setRules(loaded(path), path);

        // Edit: action, side and scope; a model that is not configured is the loader's did-you-mean.
        page.editRule(0);
        QCOMPARE(child<QLineEdit>(&page, "ruleName")->text(), QStringLiteral("no-keys"));
        setCombo(child<QComboBox>(&page, "ruleAction"), QStringLiteral("block"));
        setCombo(child<QComboBox>(&page, "ruleOn"), QStringLiteral("both"));
        child<QLineEdit>(&page, "ruleModels")->setText(QStringLiteral("gpt-4.2"));
        child<QLineEdit>(&page, "ruleTokens")->setText(QStringLiteral("ci, editor"));
        child<QLineEdit>(&page, "ruleClients")->setText(QStringLiteral("claude-cli"));
        QVERIFY(waitIdle(&page, [&] { page.checkNow(); }));
        auto *modelsError = child<QLabel>(&page, "modelsError");
        QVERIFY(modelsError->isVisibleTo(&page));
        QVERIFY2(modelsError->text().contains(QLatin1String("'gpt-4.2' is not a configured model"))
                     && modelsError->text().contains(QLatin1String("did you mean 'gpt-4.1'")),
                 qPrintable(modelsError->text()));
        child<QLineEdit>(&page, "ruleModels")->setText(QStringLiteral("gpt-4.1"));
        QVERIFY(waitIdle(&page, [&] { child<QPushButton>(&page, "saveRuleButton")->click(); }));
        QVERIFY(!page.isEditing());
        GuardrailRule rule = loaded(path).rules.value(0);
        QCOMPARE(rule.action, GuardrailRule::Action::Block);
        QCOMPARE(rule.on, GuardrailRule::Side::Both);
        QCOMPARE(rule.models, QStringList {QStringLiteral("gpt-4.1")});
        QCOMPARE(rule.tokens, (QStringList {QStringLiteral("ci"), QStringLiteral("editor")}));
        QCOMPARE(rule.clients, QStringList {QStringLiteral("claude-cli")});
        QVERIFY(fileText(path).contains("    # keys never leave\n    - name: no-keys\n"));

        // A second rule named like the first: the loader's message at the name.
        page.addRule();
        child<QLineEdit>(&page, "ruleName")->setText(QStringLiteral("no-keys"));
        setCombo(child<QComboBox>(&page, "ruleDetect"), QStringLiteral("email"));
        QVERIFY(waitIdle(&page, [&] { page.checkNow(); }));
        QVERIFY2(child<QLabel>(&page, "nameError")->text().contains(QLatin1String("names must be unique")),
                 qPrintable(child<QLabel>(&page, "nameError")->text()));
        child<QLineEdit>(&page, "ruleName")->setText(QStringLiteral("mail"));
        QVERIFY(waitIdle(&page, [&] { child<QPushButton>(&page, "saveRuleButton")->click(); }));
        QCOMPARE(loaded(path).rules.size(), 2);

        // Switched off from the table's check box: kept in the file, checking nothing.
        QStandardItem *mail = page.rulesModel()->item(1, 0);
        QCOMPARE(mail->checkState(), Qt::Checked);
        QVERIFY(waitIdle(&page, [&] { mail->setCheckState(Qt::Unchecked); }));
        QCOMPARE(loaded(path).rules.value(1).enabled, false);
        QVERIFY(fileText(path).contains("enabled: false"));
        QCOMPARE(page.rulesModel()->item(1, 0)->checkState(), Qt::Unchecked);
        typeAndWait(&page, QStringLiteral("mail ops@example.com"));
        QCOMPARE(page.findChild<QPlainTextEdit *>(QStringLiteral("tryOutput"))->toPlainText(),
                 QStringLiteral("mail ops@example.com"));

        // A built-in detector becomes a rule of its own from the detectors table.
        auto *detectors = page.findChild<QTableView *>(QStringLiteral("guardrailDetectors"));
        const QModelIndex iban = page.findChild<QTableView *>(QStringLiteral("guardrailDetectors"))
                                     ->model()
                                     ->match(detectors->model()->index(0, 0), Qt::DisplayRole, QStringLiteral("iban"))
                                     .value(0);
        QVERIFY(iban.isValid());
        Q_EMIT detectors->doubleClicked(iban);
        QVERIFY(page.isEditing());
        QCOMPARE(page.draft().detect, QStringLiteral("iban"));
        QCOMPARE(page.draft().name, QStringLiteral("iban"));
        child<QPushButton>(&page, "cancelRuleButton")->click();

        // Removed after the question is answered.
        page.findChild<QTableView *>(QStringLiteral("guardrailRules"))->selectRow(1);
        child<QPushButton>(&page, "removeRuleButton")->click();
        auto *question = page.findChild<QMessageBox *>(QStringLiteral("removeRuleQuestion"));
        QVERIFY(question);
        QVERIFY(waitIdle(&page, [&] { question->button(QMessageBox::Yes)->click(); }));
        QCOMPARE(loaded(path).rules.size(), 1);
        QCOMPARE(page.rulesModel()->rowCount(), 1);
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
            window.guardrailsPage()->setRules(rules(), ShownConfig);
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

            // Editing a rule: the form, and the try-it box trying it before it is saved.
            // In a home folder of its own, so the page shows the path as a user's would read.
            QTemporaryDir dir;
            const QByteArray home = qgetenv("HOME");
            qputenv("HOME", dir.path().toUtf8());
            const QString path = dir.filePath(QStringLiteral(".config/sluice/sluice.yaml"));
            QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write(EditableConfig) == EditableConfig.size());
            file.close();
            GuardrailsPage *page = window.guardrailsPage();
            page->setRules(loaded(path), path);
            page->addRule();
            child<QLineEdit>(page, "ruleName")->setText(QStringLiteral("tickets"));
            setCombo(child<QComboBox>(page, "ruleDetect"), QStringLiteral("regex"));
            child<QLineEdit>(page, "rulePattern")->setText(QStringLiteral("ACME-[0-9]{6}"));
            child<QLineEdit>(page, "ruleModels")->setText(QStringLiteral("gpt-4.2"));
            QVERIFY(waitIdle(page, [&] { page->checkNow(); }));
            typeAndWait(page,
                        QStringLiteral("Deploy to prod with AKIAIOSFODNN7EXAMPLE and tell ops@example.com.\n"
                                       "Ticket ACME-204311 has the details."));
            QVERIFY(child<QLabel>(page, "modelsError")->isVisibleTo(page));
            const QImage editing = window.grab().toImage();
            QVERIFY(editing.save(screenshotPath(dark ? "guardrails-editing-dark.png" : "guardrails-editing.png")));
            QVERIFY(child<QLabel>(page, "guardrailsSource")
                        ->text()
                        .contains(QLatin1String("~/.config/sluice/sluice.yaml")));
            qputenv("HOME", home);
            page->findChild<QPushButton *>(QStringLiteral("cancelRuleButton"))->click();

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
