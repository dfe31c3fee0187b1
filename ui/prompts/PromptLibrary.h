#pragma once

#include <QList>
#include <QMetaType>
#include <QObject>

#include "store/PromptStore.h"
#include "store/PromptVersion.h"

namespace sluice {

// A prompt's versions with their labels and usage, and the history of its labels, for the Prompts page.
struct PromptDetails
{
    QString name;
    QList<PromptVersion> versions; // oldest first
    QList<PromptUsageStats> stats; // one per version, same order
    QList<LabelMove> history; // oldest first
};

// The prompt registry for the window, on a thread of its own: move it to a QThread and call its slots through
// queued connections; results come back as signals. Its read-write connection opens on first use.
class PromptLibrary : public QObject
{
    Q_OBJECT
public:
    explicit PromptLibrary(const QString &databasePath, QObject *parent = nullptr);

public Q_SLOTS:
    void loadList();
    void loadPrompt(const QString &name);
    void loadObserved();
    // fileText: a prompt file (YAML or JSON, docs/prompts.md); creates the prompt when isNew, else its next version.
    void save(const QString &name, const QString &fileText, const QString &message, bool isNew);
    void moveLabel(const QString &name, const QString &label, int version);
    void saveObserved(const QString &fingerprint, const QString &name);

Q_SIGNALS:
    void listLoaded(const QList<sluice::PromptSummary> &prompts);
    void promptLoaded(const sluice::PromptDetails &details);
    void observedLoaded(const QList<sluice::ObservedPromptVersion> &versions);
    // After save, moveLabel or saveObserved: what changed, for a message and a reload.
    void changed(const QString &name, const QString &message);
    void failed(const QString &message);

private:
    bool ensureOpen();

    QString m_databasePath;
    PromptStore m_store;
};

} // namespace sluice

Q_DECLARE_METATYPE(sluice::PromptDetails)
Q_DECLARE_METATYPE(sluice::PromptSummary)
Q_DECLARE_METATYPE(sluice::ObservedPromptVersion)
