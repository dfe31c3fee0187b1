#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include "GuiTestRecords.h"
#include "config/ConfigLoader.h"
#include "store/RequestLogWriter.h"
#include "ui/MainWindow.h"
#include "ui/SettingsPage.h"
#include "ui/ThemeSetting.h"

using namespace sluice;
using namespace sluice::test;

namespace {

const QByteArray StartConfig = "gateway:\n"
                               "  listen: 127.0.0.1   # this computer only\n"
                               "  port: 7341\n"
                               "\n"
                               "# logging as I like it\n"
                               "logging:\n"
                               "  store_bodies: true\n";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

template<typename T>
T *child(QWidget *parent, const char *name)
{
    return parent->findChild<T *>(QLatin1String(name));
}

QString screenshotPath(const char *name)
{
    return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
}

} // namespace

class TestSettingsPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR)));
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_config = m_dir->filePath(QStringLiteral("sluice.yaml"));
        m_database = m_dir->filePath(QStringLiteral("sluice.db"));
        QVERIFY(writeAll(m_config, StartConfig));
        RequestLogWriter writer;
        QVERIFY(writer.open(m_database).ok());
        writer.append(GuiTestRecords::record(QStringLiteral("r1"), QDateTime::currentDateTimeUtc()));
        writer.stop();
    }

    void savesIntoTheConfigKeepingTheRest()
    {
        MainWindow window;
        SettingsPage *page = preparedPage(window);
        QCOMPARE(child<QSpinBox>(page, "settingsPort")->value(), 7341);
        QVERIFY(child<QCheckBox>(page, "settingsStoreBodies")->isChecked());
        QCOMPARE(child<QSpinBox>(page, "settingsRetentionDays")->text(), QStringLiteral("for ever"));
        QVERIFY2(child<QLabel>(page, "settingsDatabaseSize")->text().contains(QLatin1String("MB of data")),
                 qPrintable(child<QLabel>(page, "settingsDatabaseSize")->text()));

        child<QSpinBox>(page, "settingsRetentionDays")->setValue(30);
        child<QSpinBox>(page, "settingsMaxDatabaseMb")->setValue(500);
        child<QCheckBox>(page, "settingsStoreBodies")->setChecked(false);
        QSignalSpy idle(page, &SettingsPage::idle);
        child<QPushButton>(page, "settingsSave")->click();
        QVERIFY(idle.wait(10000));
        QCOMPARE(readAll(m_config),
                 QByteArray("gateway:\n"
                            "  listen: 127.0.0.1   # this computer only\n"
                            "  port: 7341\n"
                            "\n"
                            "# logging as I like it\n"
                            "logging:\n"
                            "  store_bodies: false\n"
                            "  retention_days: 30\n"
                            "  max_database_mb: 500\n"));
        const Result<Config> config = ConfigLoader::loadFile(m_config);
        QVERIFY(config.ok());
        QCOMPARE(config->logging.retentionDays, 30);
        QVERIFY(child<QLabel>(page, "settingsStatus")->text().contains(QLatin1String("applies it now")));

        // A new port is saved and said to need a restart.
        child<QSpinBox>(page, "settingsPort")->setValue(7400);
        idle.clear();
        child<QPushButton>(page, "settingsSave")->click();
        QVERIFY(idle.wait(10000));
        QVERIFY(readAll(m_config).contains("  port: 7400\n"));
        QVERIFY(child<QLabel>(page, "settingsStatus")->text().contains(QLatin1String("starts again")));
        QTest::qWait(50);
        QVERIFY(window.grab().save(screenshotPath("settings-page.png")));
    }

    void startAtLoginCopiesTheEntry()
    {
        MainWindow window;
        SettingsPage *page = preparedPage(window);
        const QString source = m_dir->filePath(QStringLiteral("app.sluice.Sluice.desktop"));
        QVERIFY(writeAll(source, "[Desktop Entry]\nType=Application\nName=Sluice\nExec=sluice --minimized\n"));
        const QString autostartDir = m_dir->filePath(QStringLiteral("autostart"));
        page->setAutostart(Autostart(source, autostartDir));
        auto *box = child<QCheckBox>(page, "settingsStartAtLogin");
        QVERIFY(box->isEnabled() && !box->isChecked());
        box->setChecked(true);
        QVERIFY(QFile::exists(QDir(autostartDir).filePath(Autostart::entryFileName())));
        box->setChecked(false);
        QVERIFY(!QFile::exists(QDir(autostartDir).filePath(Autostart::entryFileName())));
    }

    void themeAppliesAtOnceAndIsKept()
    {
        const QPalette original = QApplication::palette();
        const QString file = m_dir->filePath(QStringLiteral("desktop.conf"));
        {
            QSettings settings(file, QSettings::IniFormat);
            MainWindow window;
            window.settingsPage()->setDesktopSettings(&settings);
            SettingsPage *page = preparedPage(window);
            auto *theme = child<QComboBox>(page, "settingsTheme");
            QCOMPARE(theme->currentText(), QStringLiteral("Follow the desktop"));

            theme->setCurrentIndex(theme->findText(QStringLiteral("Dark")));
            QVERIFY(QApplication::palette().color(QPalette::Window).lightnessF() < 0.3);
            QTest::qWait(50);
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath("settings-page-theme-dark.png")));
            auto *port = child<QSpinBox>(page, "settingsPort");
            QVERIFY(shot.pixelColor(port->mapTo(&window, QPoint(port->width() - 40, port->height() / 2))).lightnessF()
                    < 0.3);
            QVERIFY(readAll(file).contains("theme=dark"));

            theme->setCurrentIndex(theme->findText(QStringLiteral("Light")));
            QVERIFY(QApplication::palette().color(QPalette::Window).lightnessF() > 0.8);
            QVERIFY(QApplication::palette().color(QPalette::Text).lightnessF() < 0.3);
            QTest::qWait(50);
            QVERIFY(window.grab().save(screenshotPath("settings-page-theme-light.png")));

            theme->setCurrentIndex(theme->findText(QStringLiteral("Dark")));
        }
        // The next start reads the choice back.
        {
            const QSettings settings(file, QSettings::IniFormat);
            QCOMPARE(ThemeSetting::load(settings), ThemeSetting::Choice::Dark);
            QSettings writable(file, QSettings::IniFormat);
            MainWindow window;
            window.settingsPage()->setDesktopSettings(&writable);
            auto *theme = child<QComboBox>(window.settingsPage(), "settingsTheme");
            QCOMPARE(theme->currentText(), QStringLiteral("Dark"));
            // Back to the desktop's own colours.
            theme->setCurrentIndex(theme->findText(QStringLiteral("Follow the desktop")));
            QCOMPARE(QApplication::palette().color(QPalette::Window), original.color(QPalette::Window));
            QCOMPARE(QApplication::palette().color(QPalette::Text), original.color(QPalette::Text));
        }
        QCOMPARE(ThemeSetting::load(QSettings(file, QSettings::IniFormat)), ThemeSetting::Choice::System);
        QApplication::setPalette(original);
    }

    void followsADarkPalette()
    {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            SettingsPage *page = preparedPage(window);
            QTest::qWait(50);
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath("settings-page-dark.png")));
            auto *port = child<QSpinBox>(page, "settingsPort");
            QVERIFY(shot.pixelColor(port->mapTo(&window, QPoint(port->width() - 40, port->height() / 2))).lightnessF()
                    < 0.3);
        }
        QApplication::setPalette(original);
    }

private:
    SettingsPage *preparedPage(MainWindow &window)
    {
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        window.setGatewayState(GatewayState::Running);
        window.resize(1280, 720);
        window.show();
        [[maybe_unused]] const bool exposed = QTest::qWaitForWindowExposed(&window);
        SettingsPage *page = window.settingsPage();
        QSignalSpy idle(page, &SettingsPage::idle);
        page->setPaths(m_config, m_database);
        window.showPage(MainWindow::Page::Settings);
        [[maybe_unused]] const bool loaded = idle.wait(10000);
        return page;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_config;
    QString m_database;
};

QTEST_MAIN(TestSettingsPage)
#include "tst_settingspage.moc"
