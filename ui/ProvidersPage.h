#pragma once

#include <QWidget>

#include "providers/LocalDiscovery.h"
#include "ui/ProvidersWork.h"

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace sluice {

class ProviderProbe;
struct ProbeResult;

// The Providers & keys page: the config's providers and models, a form to add a provider from the presets (its
// key goes straight to the keychain), a Test button that makes a real call, and a form to add a model. Every
// change goes through ConfigWriter off the GUI thread; a running gateway applies it through its ConfigWatcher.
// Errors are the loader's own messages, shown next to the field they are about.
class ProvidersPage : public QWidget
{
    Q_OBJECT
public:
    explicit ProvidersPage(QWidget *parent = nullptr);
    ~ProvidersPage() override;

    // The config file the page reads and edits; read again whenever the page is shown.
    void setConfigPath(const QString &path);
    QString configPath() const { return m_configPath; }
    // The request log database, where gateway tokens are stored: the getting-started steps offer to make one.
    void setDatabasePath(const QString &path) { m_databasePath = path; }
    // Shows the getting-started steps again, also when every step is done or they were skipped.
    void showGettingStarted();
    // The keychain service keys are stored under ("sluice"; tests use their own).
    void setKeychainService(const QString &service) { m_keychainService = service; }
    // Ask before removing a provider (tests turn it off).
    void setConfirmRemovals(bool confirm) { m_confirmRemovals = confirm; }
    void reload();
    // Where to look for local servers when there is no provider yet (tests point it elsewhere).
    void setDiscoveryTargets(const QList<DiscoveredServer> &targets) { m_discoveryTargets = targets; }

Q_SIGNALS:
    // "Set up a client" in the getting-started steps.
    void clientsWanted();
    // A change was written to the config file.
    void configChanged();
    // A reload or an action finished (tests wait for it).
    void idle();

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    QWidget *buildGettingStarted();
    void updateGettingStarted();
    void discover();
    void addDiscovered();
    void makeGatewayToken();
    QWidget *buildProviderForm();
    QWidget *buildModelForm();
    void setSnapshot(const ProvidersSnapshot &snapshot);
    void onTypeChanged();
    void addProvider();
    void removeProvider();
    void editProvider();
    void saveEdit();
    void leaveEdit();
    void testProvider();
    void onProbed(const ProbeResult &result);
    void addModel();
    bool modelExists(const QString &name) const;
    void updateModelButton();
    void removeModel();
    void showStatus(const QString &text, bool ok);
    void showFormError(const QString &message);
    void clearFormErrors();
    void setBusy(bool busy);
    QString selectedProvider() const;
    QString selectedModel() const;
    void updateButtons();
    void updateEmptyStates();
    void applyErrorColour();

    QString m_configPath;
    QString m_databasePath;
    QString m_keychainService = QStringLiteral("sluice");
    bool m_confirmRemovals = true;
    bool m_nameEdited = false;
    bool m_busy = false;
    QString m_selectAfterReload; // a provider just added
    ProvidersSnapshot m_snapshot;
    ProviderProbe *m_probe = nullptr;
    QList<DiscoveredServer> m_discoveryTargets = LocalDiscovery::targets();
    QList<DiscoveredServer> m_discovered; // servers found, not added yet
    bool m_discoveryDone = false;
    bool m_gettingStartedSkipped = false;
    bool m_gettingStartedWanted = false; // asked for again: shown even when every step is done

    QWidget *m_gettingStarted = nullptr;
    QLabel *m_steps = nullptr;
    QLabel *m_discoveredText = nullptr;
    QPushButton *m_addDiscovered = nullptr;
    QPushButton *m_makeToken = nullptr;
    QWidget *m_tokenRow = nullptr;
    QLineEdit *m_tokenSecret = nullptr;
    QLabel *m_tokenNote = nullptr;
    QPushButton *m_showGettingStarted = nullptr;

    QLabel *m_status = nullptr;
    QStandardItemModel *m_providers = nullptr;
    QTableView *m_providerTable = nullptr;
    QLabel *m_providersEmpty = nullptr;
    QPushButton *m_testButton = nullptr;
    QPushButton *m_removeButton = nullptr;
    QPushButton *m_editButton = nullptr;
    QPushButton *m_cancelEdit = nullptr;
    QGroupBox *m_providerBox = nullptr;
    QString m_editing; // the provider the form edits; empty: the form adds one
    QStandardItemModel *m_models = nullptr;
    QTableView *m_modelTable = nullptr;
    QLabel *m_modelsEmpty = nullptr;
    QPushButton *m_removeModelButton = nullptr;

    QComboBox *m_type = nullptr;
    QLineEdit *m_name = nullptr;
    QLabel *m_nameError = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QLabel *m_baseUrlError = nullptr;
    QLineEdit *m_key = nullptr;
    QLabel *m_keyHint = nullptr;
    QLabel *m_keyError = nullptr;
    QLabel *m_providerError = nullptr;
    QPushButton *m_addButton = nullptr;

    QLineEdit *m_modelName = nullptr;
    QComboBox *m_modelProvider = nullptr;
    QLineEdit *m_upstreamModel = nullptr;
    QLineEdit *m_fallbacks = nullptr;
    QLabel *m_modelError = nullptr;
    QPushButton *m_addModelButton = nullptr;
};

} // namespace sluice
