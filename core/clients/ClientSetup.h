#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "clients/ClientConfigWriter.h"
#include "common/Result.h"

namespace sluice {

// One file's change: its content before and after (nullopt: the file does not exist).
struct ClientFileChange
{
    QString path;
    std::optional<QByteArray> before;
    std::optional<QByteArray> after;

    bool changes() const { return before != after; }
};

// Reads, backs up, writes and restores a client's config file for `sluice setup`. The first set-up of a file keeps
// the original next to it as FILE.sluice-backup (or, when there was no file, an empty FILE.sluice-created marker);
// later set-ups keep that first backup, so undo always goes back to the file as it was before Sluice touched it,
// byte for byte, and then removes the backup. Files are written atomically (QSaveFile).
class ClientSetup
{
public:
    static QString backupPath(const QString &path) { return path + QStringLiteral(".sluice-backup"); }
    static QString createdMarkerPath(const QString &path) { return path + QStringLiteral(".sluice-created"); }

    static Result<std::optional<QByteArray>> readFile(const QString &path);
    // What setting the client up would change (nothing is written).
    static Result<ClientFileChange> plan(const ClientConfigWriter &writer, const ClientEndpoint &endpoint);
    // Keeps the backup (first time only) and writes change.after.
    static Result<void> apply(const ClientFileChange &change);
    // What undo would change: back to the backup, or no file when Sluice created it. An error when there is
    // nothing to undo.
    static Result<ClientFileChange> planUndo(const QString &path);
    // Restores (or deletes) the file and removes the backup.
    static Result<void> applyUndo(const ClientFileChange &change);

    // A unified diff of the change (three lines of context), with secret shown as mask.
    static QString diff(const ClientFileChange &change, const QString &secret, const QString &mask);

private:
    static Result<void> writeAtomically(const QString &path, const QByteArray &content);
};

} // namespace sluice
