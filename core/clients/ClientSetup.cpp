#include "clients/ClientSetup.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QSaveFile>

namespace sluice {

namespace {

QStringList linesOf(const std::optional<QByteArray> &text)
{
    if (!text || text->isEmpty())
        return {};
    QStringList lines = QString::fromUtf8(*text).split(QLatin1Char('\n'));
    if (lines.last().isEmpty())
        lines.removeLast();
    else
        lines.last() += QStringLiteral("  (no newline at end of file)");
    return lines;
}

} // namespace

Result<std::optional<QByteArray>> ClientSetup::readFile(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return std::optional<QByteArray>();
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return std::optional<QByteArray>(file.readAll());
}

Result<ClientFileChange> ClientSetup::plan(const ClientConfigWriter &writer, const ClientEndpoint &endpoint)
{
    ClientFileChange change;
    change.path = writer.configPath();
    Result<std::optional<QByteArray>> before = readFile(change.path);
    if (!before)
        return before.error();
    change.before = *before;
    Result<QByteArray> after = writer.merge(change.before, endpoint);
    if (!after)
        return after.error();
    change.after = *after;
    return change;
}

Result<void> ClientSetup::writeAtomically(const QString &path, const QByteArray &content)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return makeError(QStringLiteral("cannot make the folder of %1").arg(path));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    file.write(content);
    if (!file.commit())
        return makeError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

Result<void> ClientSetup::apply(const ClientFileChange &change)
{
    if (!change.after)
        return makeError(QStringLiteral("nothing to write to %1").arg(change.path));
    const bool backedUp = QFile::exists(backupPath(change.path)) || QFile::exists(createdMarkerPath(change.path));
    if (!backedUp) {
        if (change.before) {
            if (Result<void> kept = writeAtomically(backupPath(change.path), *change.before); !kept)
                return kept;
            // The backup may hold secrets the original held: keep the original's permissions.
            QFile::setPermissions(backupPath(change.path), QFile::permissions(change.path));
        } else if (Result<void> marked = writeAtomically(createdMarkerPath(change.path), QByteArray()); !marked) {
            return marked;
        }
    }
    const bool existed = QFile::exists(change.path);
    if (Result<void> written = writeAtomically(change.path, *change.after); !written)
        return written;
    if (!existed) // a new file that may hold the gateway token: the user's alone
        QFile::setPermissions(change.path, QFile::ReadOwner | QFile::WriteOwner);
    return {};
}

Result<ClientFileChange> ClientSetup::planUndo(const QString &path)
{
    ClientFileChange change;
    change.path = path;
    Result<std::optional<QByteArray>> current = readFile(path);
    if (!current)
        return current.error();
    change.before = *current;
    if (QFile::exists(backupPath(path))) {
        Result<std::optional<QByteArray>> original = readFile(backupPath(path));
        if (!original)
            return original.error();
        change.after = *original;
    } else if (!QFile::exists(createdMarkerPath(path))) {
        return makeError(
            QStringLiteral("nothing to undo: %1 has no backup from `sluice setup` (%2)").arg(path, backupPath(path)));
    }
    return change;
}

Result<void> ClientSetup::applyUndo(const ClientFileChange &change)
{
    if (change.after) {
        if (Result<void> written = writeAtomically(change.path, *change.after); !written)
            return written;
        QFile::setPermissions(change.path, QFile::permissions(backupPath(change.path)));
        QFile::remove(backupPath(change.path));
    } else {
        if (QFile::exists(change.path) && !QFile::remove(change.path))
            return makeError(QStringLiteral("cannot delete %1").arg(change.path));
        QFile::remove(createdMarkerPath(change.path));
    }
    return {};
}

QString ClientSetup::diff(const ClientFileChange &change, const QString &secret, const QString &mask)
{
    QStringList a = linesOf(change.before);
    QStringList b = linesOf(change.after);
    if (!secret.isEmpty()) {
        for (QString &line : a)
            line.replace(secret, mask);
        for (QString &line : b)
            line.replace(secret, mask);
    }
    // Longest common subsequence of lines (settings files are small).
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    QList<QList<int>> lcs(n + 1, QList<int>(m + 1, 0));
    for (qsizetype i = n - 1; i >= 0; --i) {
        for (qsizetype j = m - 1; j >= 0; --j)
            lcs[i][j] = a.at(i) == b.at(j) ? lcs[i + 1][j + 1] + 1 : qMax(lcs[i + 1][j], lcs[i][j + 1]);
    }
    struct Op
    {
        char kind;
        QString text;
        qsizetype oldLine;
        qsizetype newLine;
    };
    QList<Op> ops;
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a.at(i) == b.at(j)) {
            ops.append({' ', a.at(i), i, j});
            ++i;
            ++j;
        } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
            ops.append({'-', a.at(i), i, j});
            ++i;
        } else {
            ops.append({'+', b.at(j), i, j});
            ++j;
        }
    }
    QString out;
    out += QStringLiteral("--- %1%2\n")
               .arg(change.path, change.before ? QString() : QStringLiteral(" (does not exist)"));
    out += QStringLiteral("+++ %1%2\n").arg(change.path, change.after ? QString() : QStringLiteral(" (deleted)"));
    constexpr qsizetype Context = 3;
    qsizetype k = 0;
    while (k < ops.size()) {
        if (ops.at(k).kind == ' ') {
            ++k;
            continue;
        }
        // A hunk: from Context lines before this change to Context lines after the last change near it.
        qsizetype start = qMax<qsizetype>(0, k - Context);
        qsizetype end = k;
        qsizetype unchanged = 0;
        while (end < ops.size() && unchanged <= 2 * Context) {
            unchanged = ops.at(end).kind == ' ' ? unchanged + 1 : 0;
            ++end;
        }
        end = qMin(ops.size(), end - unchanged + qMin(unchanged, Context));
        qsizetype oldCount = 0;
        qsizetype newCount = 0;
        for (qsizetype x = start; x < end; ++x) {
            oldCount += ops.at(x).kind != '+';
            newCount += ops.at(x).kind != '-';
        }
        out += QStringLiteral("@@ -%1,%2 +%3,%4 @@\n")
                   .arg(ops.at(start).oldLine + (oldCount > 0))
                   .arg(oldCount)
                   .arg(ops.at(start).newLine + (newCount > 0))
                   .arg(newCount);
        for (qsizetype x = start; x < end; ++x)
            out += QLatin1Char(ops.at(x).kind) + ops.at(x).text + QLatin1Char('\n');
        k = end;
    }
    return out;
}

} // namespace sluice
