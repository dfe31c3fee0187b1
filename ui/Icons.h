#pragma once

#include <QIcon>

class QPalette;

namespace sluice {

// The application's icons: the shipped app icon (SVG plus PNG sizes for trays) and small action icons drawn in
// the palette's text colour, so they stay visible in light and dark themes.
class Icons
{
public:
    static QIcon application();
    static QIcon applicationPaused();

    enum class Action {
        Pause,
        Resume,
        Copy,
        Search,
        LiveRequests,
        Routing,
        Spend,
        Guardrails,
        Providers,
        Clients,
        Settings,
        Prompts,
        Compare
    };
    static QIcon action(Action action, const QPalette &palette);
};

} // namespace sluice
