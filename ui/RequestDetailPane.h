#pragma once

#include <QWidget>

#include "common/RequestRecord.h"

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QSplitter;
class QStackedWidget;
class QToolButton;

namespace sluice {

class AttemptTimeline;

// Everything about one request: a summary (who, which model where, status, timings, tokens, cost), the timeline
// of its attempts (why each retry and fallback happened) and its request and response bodies, pretty-printed; a
// streamed response shows its events and the text they assembled.
class RequestDetailPane : public QWidget
{
    Q_OBJECT
public:
    explicit RequestDetailPane(QWidget *parent = nullptr);

    // record's bodies are shown as they are (empty: not stored).
    void showRecord(const RequestRecord &record);
    // The summary now, the bodies once they arrive through showRecord().
    void showRecordLoadingBodies(const RequestRecord &record);
    // The current record's bodies could not be loaded.
    void showBodiesUnavailable(const QString &message);
    void clear();
    // The id of the record shown, empty when none.
    QString recordId() const { return m_record.id; }
    // "Replay on other models…": enabled when the record's whole body is loaded and it is a chat request.
    QPushButton *replayButton() const { return m_replay; }

Q_SIGNALS:
    // The user wants this request (with its exact body) answered by other models (the Compare page).
    void replayRequested(const sluice::RequestRecord &record);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    enum class Bodies { Shown, Loading, Unavailable };
    void render();
    void renderSummary();
    void renderAttempts();
    void renderBodies();
    void updateTimelineHeight();
    void copyAttempts();
    QLabel *addSummaryRow(const QString &label);
    QPlainTextEdit *makeBodyView(const QString &objectName);

    RequestRecord m_record;
    Bodies m_bodies = Bodies::Shown;
    QString m_bodiesMessage;

    QStackedWidget *m_stack;
    QLabel *m_title;
    QLabel *m_subtitle;
    QLabel *m_statusChip;
    QPushButton *m_replay;
    QFormLayout *m_form;
    QLabel *m_id;
    QLabel *m_time;
    QLabel *m_endpoint;
    QLabel *m_token;
    QLabel *m_model;
    QLabel *m_status;
    QLabel *m_error;
    QLabel *m_stream;
    QLabel *m_latency;
    QLabel *m_ttft;
    QLabel *m_tokens;
    QLabel *m_cost;
    QLabel *m_guardrails;
    QWidget *m_attemptsSection;
    QLabel *m_attemptsSummary;
    QToolButton *m_copyAttempts;
    QScrollArea *m_timelineScroll;
    AttemptTimeline *m_timeline;
    QLabel *m_requestNote;
    QPlainTextEdit *m_requestBody;
    QLabel *m_responseCaption;
    QLabel *m_responseNote;
    QLabel *m_eventsCaption;
    QSplitter *m_responseSplitter;
    QWidget *m_assembledBox;
    QPlainTextEdit *m_assembledText;
    QPlainTextEdit *m_responseBody;
};

} // namespace sluice
