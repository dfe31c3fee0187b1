#pragma once

#include <QWidget>

#include "ui/ClientsWork.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace sluice {

// The Clients page: each coding agent and editor Sluice can set up, its state (not installed, installed,
// pointed at Sluice, the last request made with its gateway token), what a set-up would change in which file,
// and one-click set-up and undo (the same as `sluice setup CLIENT` and `--undo`). Snippets for the tools that
// have no config file (Cline, Cursor). Files, the token store and the log are read off the GUI thread.
class ClientsPage : public QWidget
{
    Q_OBJECT
public:
    explicit ClientsPage(QWidget *parent = nullptr);

    void setPaths(const QString &configPath, const QString &databasePath);
    void setEndpoint(const QUrl &endpoint);
    void reload();

Q_SIGNALS:
    // A reload, set-up or undo finished (tests wait for it).
    void idle();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void setSnapshot(const ClientsSnapshot &snapshot);
    void showSelected();
    void setUpSelected();
    void undoSelected();
    void finished(const Result<ClientOutcome> &outcome);
    void showStatus(const QString &text, bool ok);
    const ClientState *selected() const;
    void updateSnippets();

    QString m_configPath;
    QString m_databasePath;
    QString m_endpoint = QStringLiteral("http://127.0.0.1:7341");
    QList<ClientState> m_states;
    bool m_busy = false;
    bool m_refreshing = false; // the table is being refilled: the selection changes, not the client
    QStringList m_environmentLines; // of the last set-up, shown until another client is picked

    QLabel *m_status = nullptr;
    QStandardItemModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_detailTitle = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QComboBox *m_defaultModel = nullptr;
    QPushButton *m_setUp = nullptr;
    QPushButton *m_undo = nullptr;
    QPushButton *m_copyEnvironment = nullptr;
    QLabel *m_snippets = nullptr;
};

} // namespace sluice
