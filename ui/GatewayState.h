#pragma once

namespace sluice {

// What the gateway is doing, as the window and the tray show it.
enum class GatewayState {
    Starting,
    Running,
    Paused,
    Error,
};

} // namespace sluice
