#pragma once

#include <QObject>
#include <QString>

#include "http/UpstreamOrigin.h"

class QAbstractSocket;

namespace sluice {

// One keep-alive TCP or TLS connection to an origin, carrying one exchange at a time. It reports its own
// set-up (established or connectFailed); once established, the exchange using it watches the socket.
class UpstreamConnection : public QObject
{
    Q_OBJECT
public:
    explicit UpstreamConnection(const UpstreamOrigin &origin, QObject *parent = nullptr);
    ~UpstreamConnection() override;

    const UpstreamOrigin &origin() const { return m_origin; }
    QAbstractSocket *socket() const { return m_socket; }

    // Starts connecting (and the TLS handshake for https); ends in established() or connectFailed().
    void open();
    bool isEstablished() const { return m_established; }
    // Established, still connected, and holding no unread bytes: fit to carry another request.
    bool isUsable() const;
    // Closes at once; the connection is not usable afterwards.
    void close();

    int completedExchanges() const { return m_completedExchanges; }
    void addCompletedExchange() { ++m_completedExchanges; }

Q_SIGNALS:
    void established();
    void connectFailed(const QString &message);

private:
    void onConnected();
    void onSetupError();

    UpstreamOrigin m_origin;
    QAbstractSocket *m_socket;
    QString m_tlsErrors;
    int m_completedExchanges = 0;
    bool m_established = false;
    bool m_setupFailed = false;
};

} // namespace sluice
