#include "FuzzSupport.h"

#include <QLoggingCategory>

namespace sluice::fuzz {

namespace {
void dropMessage(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtFatalMsg) {
        std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
        std::abort();
    }
}
} // namespace

void quietQtLogging()
{
    qInstallMessageHandler(&dropMessage);
}

} // namespace sluice::fuzz
