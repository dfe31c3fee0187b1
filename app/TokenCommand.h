#pragma once

#include <QString>
#include <QStringList>

#include "common/Result.h"

class QTextStream;

namespace sluice {
class TokenStore;
}

namespace sluice {

// `sluice token create NAME [--models a,b] [--rpm N] [--tpm N] [--budget PERIOD:USD ...] | list | revoke NAME`,
// each with [--data-dir DIR] [--config FILE]. args are the words after "token". create prints the new secret alone on
// out (the only time it is shown) and what to do with it on err. Returns 0 done, 1 database error, 2 bad usage.
int runTokenCommand(const QStringList &args, QTextStream &out, QTextStream &err);

// Opens the token database in dataDir (empty: the default data folder), as `sluice token` does; `sluice setup`
// makes its tokens through it too.
Result<void> openTokenStore(TokenStore &store, const QString &dataDir);
// The same in the store configPath's config names (store.postgresql: the team's database); empty: as above.
Result<void> openTokenStore(TokenStore &store, const QString &dataDir, const QString &configPath);

} // namespace sluice
