#include "SettingsPage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "Background.h"
#include "RecordFormat.h"
#include "config/ConfigWriter.h"
#include "store/LogRetention.h"

namespace sluice {

namespace {

SettingsValues loadValues(const QString &configPath, const QString &databasePath)
{
    SettingsValues values;
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    const Result<Config> config = writer ? writer->validate() : Result<Config>(writer.error());
    if (!config) {
        values.error = config.errorMessage();
    } else {
        values.port = config->gateway.port;
        values.storeBodies = config->logging.storeBodies;
        values.retentionDays = config->logging.retentionDays;
        values.maxDatabaseMb = int(config->logging.maxDatabaseBytes / (1024 * 1024));
    }
    if (!databasePath.isEmpty() && QFileInfo::exists(databasePath)) {
        const Result<qint64> used = LogRetention::usedBytes(databasePath);
        values.databaseBytes = used ? *used : -1;
    }
    return values;
}

Result<void> saveValues(const QString &configPath, const SettingsValues &values)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    YamlText &yaml = writer.value().yaml();
    const QList<std::tuple<QString, QString, QByteArray>> changes
        = {{QStringLiteral("gateway"), QStringLiteral("port"), QByteArray::number(values.port)},
           {QStringLiteral("logging"), QStringLiteral("store_bodies"), values.storeBodies ? "true" : "false"},
           {QStringLiteral("logging"), QStringLiteral("retention_days"), QByteArray::number(values.retentionDays)},
           {QStringLiteral("logging"), QStringLiteral("max_database_mb"), QByteArray::number(values.maxDatabaseMb)}};
    for (const auto &[section, key, value] : changes) {
        if (Result<void> set = yaml.setValue(section, key, value); !set)
            return set;
    }
    if (!writer->isChanged())
        return {};
    if (Result<Config> saved = writer.value().save(); !saved)
        return saved.error();
    return {};
}

QString megabytes(qint64 bytes)
{
    return QObject::tr("%1 MB").arg(QLocale().toString(double(bytes) / (1024 * 1024), 'f', 1));
}

} // namespace

SettingsPage::SettingsPage(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(8);
    auto *title = new QLabel(tr("Settings"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);
    layout->addWidget(title);
    auto *explanation = new QLabel(tr("Saved into the config file, next to your own settings; the gateway applies "
                                      "them at once (the port at the next start)."),
                                   this);
    explanation->setWordWrap(true);
    explanation->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(explanation);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("settingsStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto *gateway = new QGroupBox(tr("Gateway"), this);
    auto *gatewayForm = new QFormLayout(gateway);
    gatewayForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    m_port = new QSpinBox(gateway);
    m_port->setObjectName(QStringLiteral("settingsPort"));
    m_port->setRange(1, 65535);
    m_port->setGroupSeparatorShown(false);
    m_port->setMinimumWidth(180);
    gatewayForm->addRow(tr("Port"), m_port);
    layout->addWidget(gateway);

    auto *log = new QGroupBox(tr("Request log"), this);
    auto *logForm = new QFormLayout(log);
    logForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    m_storeBodies = new QCheckBox(tr("Keep request and response bodies"), log);
    m_storeBodies->setObjectName(QStringLiteral("settingsStoreBodies"));
    m_retentionDays = new QSpinBox(log);
    m_retentionDays->setObjectName(QStringLiteral("settingsRetentionDays"));
    m_retentionDays->setRange(0, 36500);
    m_retentionDays->setSuffix(tr(" days"));
    m_retentionDays->setSpecialValueText(tr("for ever"));
    m_maxDatabaseMb = new QSpinBox(log);
    m_maxDatabaseMb->setObjectName(QStringLiteral("settingsMaxDatabaseMb"));
    m_maxDatabaseMb->setRange(0, 16 * 1024 * 1024);
    m_maxDatabaseMb->setSuffix(tr(" MB"));
    m_maxDatabaseMb->setSpecialValueText(tr("no limit"));
    m_databaseSize = new QLabel(log);
    m_databaseSize->setObjectName(QStringLiteral("settingsDatabaseSize"));
    m_databaseSize->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_retentionDays->setMinimumWidth(180);
    m_maxDatabaseMb->setMinimumWidth(180);
    logForm->addRow(QString(), m_storeBodies);
    logForm->addRow(tr("Keep requests"), m_retentionDays);
    logForm->addRow(tr("Size limit"), m_maxDatabaseMb);
    logForm->addRow(tr("Now"), m_databaseSize);
    layout->addWidget(log);

    auto *buttons = new QHBoxLayout;
    m_save = new QPushButton(tr("Save gateway and log settings"), this);
    m_save->setObjectName(QStringLiteral("settingsSave"));
    buttons->addWidget(m_save);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    auto *desktop = new QGroupBox(tr("Desktop"), this);
    auto *desktopForm = new QVBoxLayout(desktop);
    m_startAtLogin = new QCheckBox(tr("Start Sluice in the tray when I log in"), desktop);
    m_startAtLogin->setObjectName(QStringLiteral("settingsStartAtLogin"));
    m_autostartNote = new QLabel(desktop);
    m_autostartNote->setObjectName(QStringLiteral("settingsAutostartNote"));
    m_autostartNote->setWordWrap(true);
    m_autostartNote->setForegroundRole(QPalette::PlaceholderText);
    desktopForm->addWidget(m_startAtLogin);
    desktopForm->addWidget(m_autostartNote);
    auto *themeRow = new QHBoxLayout;
    auto *themeLabel = new QLabel(tr("Theme"), desktop);
    m_theme = new QComboBox(desktop);
    m_theme->setObjectName(QStringLiteral("settingsTheme"));
    m_theme->addItem(tr("Follow the desktop"), int(ThemeSetting::Choice::System));
    m_theme->addItem(tr("Light"), int(ThemeSetting::Choice::Light));
    m_theme->addItem(tr("Dark"), int(ThemeSetting::Choice::Dark));
    m_theme->setMinimumWidth(180);
    themeLabel->setBuddy(m_theme);
    themeRow->addWidget(themeLabel);
    themeRow->addWidget(m_theme);
    themeRow->addStretch(1);
    desktopForm->addLayout(themeRow);
    layout->addWidget(desktop);
    layout->addStretch(1);

    connect(m_save, &QPushButton::clicked, this, &SettingsPage::save);
    connect(m_startAtLogin, &QCheckBox::toggled, this, &SettingsPage::toggleAutostart);
    connect(m_theme, &QComboBox::currentIndexChanged, this, &SettingsPage::chooseTheme);
    setAutostart(Autostart());
}

void SettingsPage::setAutostart(const Autostart &autostart)
{
    m_autostart = autostart;
    const QSignalBlocker block(m_startAtLogin);
    m_startAtLogin->setChecked(m_autostart.isEnabled());
    const bool installed = !m_autostart.sourceEntry().isEmpty();
    m_startAtLogin->setEnabled(installed || m_autostart.isEnabled());
    m_autostartNote->setText(installed ? tr("Adds %1 (the same as `sluice autostart on`).").arg(m_autostart.entryPath())
                                       : tr("Available once Sluice is installed (a build folder has no autostart "
                                            "entry to copy)."));
}

void SettingsPage::setDesktopSettings(QSettings *settings)
{
    m_desktopSettings = settings;
    const ThemeSetting::Choice choice = settings ? ThemeSetting::load(*settings) : ThemeSetting::Choice::System;
    const QSignalBlocker block(m_theme);
    m_theme->setCurrentIndex(m_theme->findData(int(choice)));
}

void SettingsPage::chooseTheme()
{
    const auto choice = ThemeSetting::Choice(m_theme->currentData().toInt());
    ThemeSetting::apply(choice);
    if (m_desktopSettings)
        ThemeSetting::save(*m_desktopSettings, choice);
}

void SettingsPage::setPaths(const QString &configPath, const QString &databasePath)
{
    m_configPath = configPath;
    m_databasePath = databasePath;
    reload();
}

void SettingsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload();
}

void SettingsPage::reload()
{
    if (m_configPath.isEmpty() || m_loading)
        return;
    m_loading = true;
    runInBackground<SettingsValues>(
        this, [config = m_configPath, db = m_databasePath] { return loadValues(config, db); },
        [this](const SettingsValues &values) {
            m_loading = false;
            setValues(values);
            Q_EMIT idle();
        });
}

void SettingsPage::setValues(const SettingsValues &values)
{
    m_values = values;
    m_port->setValue(values.port);
    m_storeBodies->setChecked(values.storeBodies);
    m_retentionDays->setValue(values.retentionDays);
    m_maxDatabaseMb->setValue(values.maxDatabaseMb);
    m_databaseSize->setText(
        values.databaseBytes < 0
            ? tr("no request logged yet")
            : tr("%1 of data in %2").arg(megabytes(values.databaseBytes), QDir::toNativeSeparators(m_databasePath)));
    m_save->setEnabled(values.error.isEmpty());
    if (!values.error.isEmpty())
        showStatus(
            tr("The config file does not load, so settings cannot be saved until it is fixed: %1").arg(values.error),
            false);
}

void SettingsPage::save()
{
    SettingsValues wanted = m_values;
    wanted.port = m_port->value();
    wanted.storeBodies = m_storeBodies->isChecked();
    wanted.retentionDays = m_retentionDays->value();
    wanted.maxDatabaseMb = m_maxDatabaseMb->value();
    const bool portChanged = wanted.port != m_values.port;
    m_save->setEnabled(false);
    runInBackground<Result<void>>(
        this, [config = m_configPath, wanted] { return saveValues(config, wanted); },
        [this, portChanged](const Result<void> &saved) {
            m_save->setEnabled(true);
            if (!saved)
                showStatus(saved.errorMessage(), false);
            else
                showStatus(portChanged ? tr("Saved. The new port takes effect when Sluice starts again; point your "
                                            "tools at it then.")
                                       : tr("Saved; the gateway applies it now."),
                           true);
            reload();
        });
}

void SettingsPage::toggleAutostart(bool on)
{
    const Result<void> done = on ? m_autostart.enable() : m_autostart.disable();
    if (!done) {
        showStatus(done.errorMessage(), false);
        const QSignalBlocker block(m_startAtLogin);
        m_startAtLogin->setChecked(!on);
        return;
    }
    showStatus(on ? tr("Sluice starts in the tray when you log in.") : tr("Sluice no longer starts at login."), true);
}

void SettingsPage::showStatus(const QString &text, bool ok)
{
    const RecordFormat::Tone tone = ok ? RecordFormat::Tone::Success : RecordFormat::Tone::Failure;
    m_status->setText(QStringLiteral("<span style=\"color:%1\">●</span> %2")
                          .arg(RecordFormat::color(tone, palette()).name(), text.toHtmlEscaped()));
}

} // namespace sluice
