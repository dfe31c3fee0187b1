#include "DefaultConfig.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace sluice {

QByteArray DefaultConfig::text()
{
    return QByteArrayLiteral(
        "# Sluice's config: the providers it talks to, the model names clients ask for, and the gateway tokens\n"
        "# they authenticate with. Every field is described in docs/configuration.md. Sluice reads this file at\n"
        "# start; provider keys never go here, only references to them (keychain:NAME, env:VAR).\n"
        "\n"
        "gateway:\n"
        "  listen: 127.0.0.1   # only this computer; see docs/configuration.md before changing it\n"
        "  port: 7341\n"
        "\n"
        "# 1. A provider, with its key stored in the OS keychain first:  sluice key set openai\n"
        "# providers:\n"
        "#   - name: openai\n"
        "#     type: openai            # also anthropic, gemini, azure, bedrock, groq, mistral, deepseek, ollama, ...\n"
        "#     api_key: keychain:openai\n"
        "\n"
        "# 2. The model names your tools will ask for, and where each is served.\n"
        "# models:\n"
        "#   - name: work\n"
        "#     provider: openai\n"
        "#     upstream_model: gpt-4.1-mini\n"
        "\n"
        "# 3. A gateway token for each tool:  sluice token create editor   (it prints the token once)\n"
        "#    Tokens made that way live in Sluice's database and need nothing here.\n"
        "\n"
        "# 4. Point a coding agent at Sluice:  sluice setup claude-code   (or codex, gemini-cli, opencode)\n");
}

Result<bool> DefaultConfig::writeIfMissing(const QString &path)
{
    const QFileInfo info(path);
    if (info.exists())
        return false;
    if (!QDir().mkpath(info.absolutePath()))
        return makeError(QStringLiteral("Cannot create the folder %1 for the config file.")
                             .arg(QDir::toNativeSeparators(info.absolutePath())));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text()) != text().size() || !file.commit())
        return makeError(QStringLiteral("Cannot write the default config %1: %2")
                             .arg(QDir::toNativeSeparators(path), file.errorString()));
    return true;
}

} // namespace sluice
