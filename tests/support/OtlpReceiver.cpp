#include "OtlpReceiver.h"

#include <cstring>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>

#include "MockConnection.h"
#include "ProtobufReader.h"

namespace sluice::test {

namespace {
// Each decoder checks the wire type OTLP gives the field; a mismatch is reported in "error".
QJsonObject anyValue(const QByteArray &bytes, QString &error);

QJsonArray keyValues(const QList<ProtobufField> &fields, int number, QString &error)
{
    QJsonArray list;
    for (const ProtobufField &field : fields) {
        if (field.number != number)
            continue;
        const std::optional<QList<ProtobufField>> pair = readProtobuf(field.bytes);
        if (field.wireType != 2 || !pair) {
            error = QStringLiteral("bad KeyValue");
            continue;
        }
        QJsonObject keyValue;
        for (const ProtobufField &part : *pair) {
            if (part.number == 1 && part.wireType == 2)
                keyValue.insert(QStringLiteral("key"), QString::fromUtf8(part.bytes));
            else if (part.number == 2 && part.wireType == 2)
                keyValue.insert(QStringLiteral("value"), anyValue(part.bytes, error));
            else
                error = QStringLiteral("unexpected KeyValue field %1").arg(part.number);
        }
        list.append(keyValue);
    }
    return list;
}

QJsonObject anyValue(const QByteArray &bytes, QString &error)
{
    const std::optional<QList<ProtobufField>> fields = readProtobuf(bytes);
    if (!fields || fields->size() != 1) {
        error = QStringLiteral("AnyValue without exactly one value");
        return {};
    }
    const ProtobufField &field = fields->first();
    switch (field.number) {
    case 1:
        if (field.wireType == 2)
            return {{QStringLiteral("stringValue"), QString::fromUtf8(field.bytes)}};
        break;
    case 2:
        if (field.wireType == 0)
            return {{QStringLiteral("boolValue"), field.integer != 0}};
        break;
    case 3:
        if (field.wireType == 0)
            return {{QStringLiteral("intValue"), QString::number(qint64(field.integer))}};
        break;
    case 4:
        if (field.wireType == 1) {
            double value = 0;
            std::memcpy(&value, &field.integer, sizeof(value));
            return {{QStringLiteral("doubleValue"), value}};
        }
        break;
    case 5:
        if (field.wireType == 2) {
            QJsonArray values;
            for (const ProtobufField &element : readProtobuf(field.bytes).value_or(QList<ProtobufField>())) {
                if (element.number == 1 && element.wireType == 2)
                    values.append(anyValue(element.bytes, error));
            }
            return {{QStringLiteral("arrayValue"), QJsonObject {{QStringLiteral("values"), values}}}};
        }
        break;
    default:
        break;
    }
    error = QStringLiteral("AnyValue field %1 with wire type %2").arg(field.number).arg(field.wireType);
    return {};
}

QJsonObject span(const QByteArray &bytes, QString &error)
{
    const std::optional<QList<ProtobufField>> fields = readProtobuf(bytes);
    if (!fields) {
        error = QStringLiteral("bad Span");
        return {};
    }
    QJsonObject object;
    const auto expect = [&](const ProtobufField &field, int wireType) {
        if (field.wireType != wireType)
            error = QStringLiteral("Span field %1 has wire type %2").arg(field.number).arg(field.wireType);
        return field.wireType == wireType;
    };
    for (const ProtobufField &field : *fields) {
        switch (field.number) {
        case 1:
            if (expect(field, 2))
                object.insert(QStringLiteral("traceId"), QString::fromLatin1(field.bytes.toHex()));
            break;
        case 2:
            if (expect(field, 2))
                object.insert(QStringLiteral("spanId"), QString::fromLatin1(field.bytes.toHex()));
            break;
        case 4:
            if (expect(field, 2))
                object.insert(QStringLiteral("parentSpanId"), QString::fromLatin1(field.bytes.toHex()));
            break;
        case 5:
            if (expect(field, 2))
                object.insert(QStringLiteral("name"), QString::fromUtf8(field.bytes));
            break;
        case 6:
            if (expect(field, 0))
                object.insert(QStringLiteral("kind"), qint64(field.integer));
            break;
        case 7:
            if (expect(field, 1))
                object.insert(QStringLiteral("startTimeUnixNano"), QString::number(field.integer));
            break;
        case 8:
            if (expect(field, 1))
                object.insert(QStringLiteral("endTimeUnixNano"), QString::number(field.integer));
            break;
        case 9:
            break; // below
        case 15:
            if (expect(field, 2)) {
                QJsonObject status;
                for (const ProtobufField &part : readProtobuf(field.bytes).value_or(QList<ProtobufField>())) {
                    if (part.number == 2)
                        status.insert(QStringLiteral("message"), QString::fromUtf8(part.bytes));
                    else if (part.number == 3)
                        status.insert(QStringLiteral("code"), qint64(part.integer));
                }
                object.insert(QStringLiteral("status"), status);
            }
            break;
        case 16:
            if (expect(field, 5))
                object.insert(QStringLiteral("flags"), qint64(field.integer));
            break;
        default:
            error = QStringLiteral("unexpected Span field %1").arg(field.number);
        }
    }
    object.insert(QStringLiteral("attributes"), keyValues(*fields, 9, error));
    return object;
}

// The repeated message fields `number` of `bytes`, each read as fields.
QList<QList<ProtobufField>> messages(const QList<ProtobufField> &fields, int number, QString &error)
{
    QList<QList<ProtobufField>> result;
    for (const ProtobufField &field : fields) {
        if (field.number != number)
            continue;
        const std::optional<QList<ProtobufField>> inner = readProtobuf(field.bytes);
        if (field.wireType != 2 || !inner)
            error = QStringLiteral("bad message in field %1").arg(number);
        else
            result.append(*inner);
    }
    return result;
}
} // namespace

QJsonObject OtlpReceiver::decodeProtobuf(const QByteArray &body)
{
    QString error;
    const std::optional<QList<ProtobufField>> request = readProtobuf(body);
    if (!request)
        return {{QStringLiteral("error"), QStringLiteral("not a protobuf message")}};
    QJsonArray resourceSpans;
    for (const QList<ProtobufField> &resourceSpan : messages(*request, 1, error)) {
        QJsonObject resourceObject;
        for (const QList<ProtobufField> &resource : messages(resourceSpan, 1, error))
            resourceObject.insert(QStringLiteral("attributes"), keyValues(resource, 1, error));
        QJsonArray scopeSpans;
        for (const QList<ProtobufField> &scopeSpan : messages(resourceSpan, 2, error)) {
            QJsonObject scope;
            for (const QList<ProtobufField> &scopeFields : messages(scopeSpan, 1, error)) {
                for (const ProtobufField &field : scopeFields)
                    scope.insert(field.number == 1 ? QStringLiteral("name") : QStringLiteral("version"),
                                 QString::fromUtf8(field.bytes));
            }
            QJsonArray spans;
            for (const ProtobufField &field : scopeSpan) {
                if (field.number == 2)
                    spans.append(span(field.bytes, error));
            }
            scopeSpans.append(QJsonObject {{QStringLiteral("scope"), scope}, {QStringLiteral("spans"), spans}});
        }
        resourceSpans.append(
            QJsonObject {{QStringLiteral("resource"), resourceObject}, {QStringLiteral("scopeSpans"), scopeSpans}});
    }
    QJsonObject result {{QStringLiteral("resourceSpans"), resourceSpans}};
    if (!error.isEmpty())
        result.insert(QStringLiteral("error"), error);
    return result;
}

OtlpReceiver::OtlpReceiver(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    m_clock.start();
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            new MockConnection(
                m_nextId++, socket, &m_clock,
                [this](const ReceivedRequest &request, bool keepAlive) {
                    m_requests.append(request);
                    const auto [status, retryAfter] = m_statuses.isEmpty() ? qMakePair(200, 0) : m_statuses.dequeue();
                    m_answered.append(status);
                    const QByteArray body = status == 200 ? QByteArray() : QByteArrayLiteral("{\"message\":\"test\"}");
                    MockResponse response;
                    response.status = status;
                    response.head = "HTTP/1.1 " + QByteArray::number(status)
                        + " Test\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n"
                        + (retryAfter > 0 ? "Retry-After: " + QByteArray::number(retryAfter) + "\r\n" : QByteArray())
                        + (keepAlive ? "" : "Connection: close\r\n") + "\r\n" + body;
                    response.closeAfter = !keepAlive;
                    return response;
                },
                this);
        }
    });
}

OtlpReceiver::~OtlpReceiver() = default;

bool OtlpReceiver::listen()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QUrl OtlpReceiver::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->serverPort()).arg(path));
}

void OtlpReceiver::enqueueStatus(int status, int retryAfterS)
{
    m_statuses.enqueue({status, retryAfterS});
}

QJsonArray OtlpReceiver::spans() const
{
    QJsonArray all;
    for (qsizetype i = 0; i < m_requests.size(); ++i) {
        if (m_answered.value(i) / 100 != 2)
            continue;
        const ReceivedRequest &request = m_requests.at(i);
        const bool json = request.headers.value(QByteArrayLiteral("content-type")).startsWith("application/json");
        const QJsonObject payload
            = json ? QJsonDocument::fromJson(request.body).object() : decodeProtobuf(request.body);
        for (const QJsonValue &resourceSpans : payload.value(QLatin1String("resourceSpans")).toArray()) {
            const QJsonArray resource = resourceSpans[QLatin1String("resource")][QLatin1String("attributes")].toArray();
            for (const QJsonValue &scopeSpans : resourceSpans[QLatin1String("scopeSpans")].toArray()) {
                for (const QJsonValue &span : scopeSpans[QLatin1String("spans")].toArray()) {
                    QJsonObject object = span.toObject();
                    object.insert(QStringLiteral("resource"), resource);
                    if (payload.contains(QLatin1String("error")))
                        object.insert(QStringLiteral("decodeError"), payload.value(QLatin1String("error")));
                    all.append(object);
                }
            }
        }
    }
    return all;
}

bool OtlpReceiver::waitForSpans(int count, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (spans().size() < count && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    return spans().size() >= count;
}

QJsonValue OtlpReceiver::attribute(const QJsonObject &span, const QString &key)
{
    for (const QJsonValue &item : span.value(QLatin1String("attributes")).toArray()) {
        if (item[QLatin1String("key")].toString() != key)
            continue;
        const QJsonObject value = item[QLatin1String("value")].toObject();
        if (value.contains(QLatin1String("stringValue")))
            return value.value(QLatin1String("stringValue"));
        if (value.contains(QLatin1String("boolValue")))
            return value.value(QLatin1String("boolValue"));
        if (value.contains(QLatin1String("intValue")))
            return value.value(QLatin1String("intValue")).toString().toLongLong();
        if (value.contains(QLatin1String("doubleValue")))
            return value.value(QLatin1String("doubleValue"));
        QJsonArray strings;
        for (const QJsonValue &element : value[QLatin1String("arrayValue")][QLatin1String("values")].toArray())
            strings.append(element[QLatin1String("stringValue")]);
        return strings;
    }
    return QJsonValue(QJsonValue::Undefined);
}

} // namespace sluice::test
