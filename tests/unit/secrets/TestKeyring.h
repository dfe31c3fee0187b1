#pragma once

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <vector>

#include <QByteArray>
#include <QString>
#include <QUuid>

namespace sluice::test {

// Keychain tests only run inside the throw-away keyring of scripts/with-test-keyring.sh (which sets
// SLUICE_TEST_KEYRING); started anywhere else, the test replaces itself with the same test run through the script.
inline void ensureTestKeyring(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet("SLUICE_TEST_KEYRING"))
        return;
    char self[4096] = {};
    const ssize_t length = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    std::vector<char *> args;
    args.push_back(const_cast<char *>("sh"));
    args.push_back(const_cast<char *>(SLUICE_TEST_KEYRING_SCRIPT));
    args.push_back(length > 0 ? self : argv[0]);
    for (int i = 1; i < argc; ++i)
        args.push_back(argv[i]);
    args.push_back(nullptr);
    ::execv("/bin/sh", args.data());
    std::perror("cannot run scripts/with-test-keyring.sh");
    std::exit(127);
}

// A keychain service name no other test run shares.
inline QString uniqueService()
{
    return QStringLiteral("sluice-test-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
}

} // namespace sluice::test
