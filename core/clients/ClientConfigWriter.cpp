#include "clients/ClientConfigWriter.h"

#include <QDir>

#include "clients/AiderWriter.h"
#include "clients/ClaudeCodeWriter.h"
#include "clients/CodexWriter.h"
#include "clients/ContinueWriter.h"
#include "clients/GeminiCliWriter.h"
#include "clients/OpencodeWriter.h"
#include "clients/ZedWriter.h"

namespace sluice {

QString ClientEndpoint::baseUrl() const
{
    return QStringLiteral("http://%1:%2").arg(host).arg(port);
}

QStringList ClientConfigWriter::warnings(const std::optional<QByteArray> &) const
{
    return {};
}

QList<std::shared_ptr<const ClientConfigWriter>> ClientConfigWriter::all()
{
    return {std::make_shared<ClaudeCodeWriter>(), std::make_shared<CodexWriter>(),
            std::make_shared<GeminiCliWriter>(),  std::make_shared<OpencodeWriter>(),
            std::make_shared<ContinueWriter>(),   std::make_shared<AiderWriter>(),
            std::make_shared<ZedWriter>()};
}

std::shared_ptr<const ClientConfigWriter> ClientConfigWriter::find(const QString &name)
{
    for (const std::shared_ptr<const ClientConfigWriter> &writer : all()) {
        if (writer->name() == name)
            return writer;
    }
    return nullptr;
}

QString ClientConfigWriter::homeDir()
{
    const QString home = qEnvironmentVariable("HOME");
    return home.isEmpty() ? QDir::homePath() : home;
}

} // namespace sluice
