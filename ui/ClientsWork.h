#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include "common/Result.h"

namespace sluice {

// One client on the Clients page.
struct ClientState
{
    QString name; // the `sluice setup` word
    QString displayName;
    QString configPath;
    bool installed = false; // its program is on the PATH or its config folder exists
    bool pointed = false; // its file already says what a set-up would write
    bool canUndo = false; // a set-up left a backup to restore
    QDateTime lastRequest; // the newest request made with its gateway token (invalid: none)
    QString preview; // what a set-up would change (a unified diff, the token masked), or why it cannot
    bool previewIsError = false;
};

// Every client, and the Sluice model names a set-up can make their default.
struct ClientsSnapshot
{
    QList<ClientState> clients;
    QStringList models;
};

// What a set-up or an undo did, for the page.
struct ClientOutcome
{
    QString summary;
    QStringList environmentLines; // to add to the shell profile (they hold the token)
};

// The Clients page's work, blocking functions for a worker thread: the clients' files, the token store and the
// request log are read there, never on the GUI thread. Set-up and undo are the ones `sluice setup` runs.
class ClientsWork
{
public:
    // model: the Sluice model the clients should use by default (not a Sluice model: the config's first one).
    static ClientsSnapshot load(const QString &configPath, const QString &databasePath, const QString &model);
    static Result<ClientOutcome> setUp(const QString &client, const QString &configPath, const QString &databasePath,
                                       const QString &model);
    static Result<ClientOutcome> undo(const QString &client);
};

} // namespace sluice
