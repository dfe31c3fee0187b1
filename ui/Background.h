#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QObject>
#include <QThread>

namespace sluice {

// Runs work on a new thread and hands its result to done on context's thread; dropped when context is gone by
// then. For the pages' blocking reads and writes (files, SQLite, the keychain), so the GUI thread never waits.
template<typename T>
void runInBackground(QObject *context, std::function<T()> work, std::function<void(const T &)> done)
{
    auto result = std::make_shared<std::optional<T>>();
    QThread *thread = QThread::create([work = std::move(work), result] { result->emplace(work()); });
    QObject::connect(thread, &QThread::finished, context, [result, done = std::move(done)] {
        if (result->has_value())
            done(**result);
    });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

} // namespace sluice
