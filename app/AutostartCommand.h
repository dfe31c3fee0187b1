#pragma once

#include <QStringList>

class QTextStream;

namespace sluice {

class Autostart;

// `sluice autostart on | off | status`: start the desktop app at login or not (the XDG autostart entry, see
// Autostart). args are the words after "autostart". Returns 0 done (status: 0 on, 3 off), 1 failed, 2 bad usage.
int runAutostartCommand(const QStringList &args, QTextStream &out, QTextStream &err, const Autostart &autostart);

} // namespace sluice
