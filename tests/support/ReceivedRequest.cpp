#include "ReceivedRequest.h"

#include <QJsonDocument>

namespace sluice::test {

QJsonObject ReceivedRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

} // namespace sluice::test
