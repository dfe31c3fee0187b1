#include "UpstreamConnection.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QStringList>
#include <QTcpSocket>

#include "http/UpstreamLogging.h"

namespace sluice {

namespace {
// Bounds Qt's own read buffer so that a paused exchange lets TCP flow control slow the upstream.
constexpr qint64 kReadBufferSize = 64 * 1024;
} // namespace

UpstreamConnection::UpstreamConnection(const UpstreamOrigin &origin, QObject *parent)
    : QObject(parent)
    , m_origin(origin)
{
    if (m_origin.tls) {
        auto *tlsSocket = new QSslSocket(this);
        QSslConfiguration tlsConfig = tlsSocket->sslConfiguration();
        tlsConfig.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        tlsSocket->setSslConfiguration(tlsConfig);
        connect(tlsSocket, &QSslSocket::encrypted, this, [this] {
            if (m_setupFailed)
                return;
            m_established = true;
            Q_EMIT established();
        });
        connect(tlsSocket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList texts;
            for (const QSslError &error : errors)
                texts.append(error.errorString());
            m_tlsErrors = texts.join(QStringLiteral("; "));
        });
        m_socket = tlsSocket;
    } else {
        m_socket = new QTcpSocket(this);
    }
    m_socket->setReadBufferSize(kReadBufferSize);
    connect(m_socket, &QAbstractSocket::connected, this, &UpstreamConnection::onConnected);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &UpstreamConnection::onSetupError);
    connect(m_socket, &QAbstractSocket::disconnected, this, &UpstreamConnection::onSetupError);
}

UpstreamConnection::~UpstreamConnection()
{
    // Signals from the socket's teardown must not reach an exchange or pool that is itself going away.
    m_socket->disconnect();
    m_socket->abort();
}

void UpstreamConnection::open()
{
    qCDebug(lcUpstream) << "connecting to" << m_origin.authority();
    if (m_origin.tls) {
        if (!QSslSocket::supportsSsl()) {
            m_setupFailed = true;
            Q_EMIT connectFailed(QStringLiteral("could not connect to %1: TLS is not available on this system "
                                                "(install OpenSSL 3)")
                                     .arg(m_origin.authority()));
            return;
        }
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_origin.host, m_origin.port);
    } else {
        m_socket->connectToHost(m_origin.host, m_origin.port);
    }
}

bool UpstreamConnection::isUsable() const
{
    return m_established && m_socket->state() == QAbstractSocket::ConnectedState && m_socket->bytesAvailable() == 0;
}

void UpstreamConnection::close()
{
    m_established = false;
    m_socket->abort();
}

void UpstreamConnection::onConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_origin.tls)
        return; // established once the handshake completes
    m_established = true;
    Q_EMIT established();
}

void UpstreamConnection::onSetupError()
{
    if (m_established || m_setupFailed)
        return;
    m_setupFailed = true;
    QString reason;
    switch (m_socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        reason = QStringLiteral("connection refused (is the server running and the port right?)");
        break;
    case QAbstractSocket::HostNotFoundError:
        reason = QStringLiteral("host name not found (check the URL and your network)");
        break;
    case QAbstractSocket::SslHandshakeFailedError:
        reason = QStringLiteral("TLS handshake failed: ")
            + (m_tlsErrors.isEmpty() ? m_socket->errorString() : m_tlsErrors);
        break;
    case QAbstractSocket::UnknownSocketError:
        reason = QStringLiteral("the connection closed during set-up");
        break;
    default:
        reason = m_socket->errorString();
        break;
    }
    Q_EMIT connectFailed(QStringLiteral("could not connect to %1: %2").arg(m_origin.authority(), reason));
}

} // namespace sluice
