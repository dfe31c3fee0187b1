#include "ThemeSetting.h"

#include <QApplication>
#include <QLabel>
#include <QSettings>

namespace sluice {

namespace {

constexpr auto Key = "appearance/theme";

// Rich text takes its link colour from the palette when the text is set: labels with links set it again.
void refreshLinks()
{
    for (QWidget *widget : QApplication::allWidgets()) {
        auto *label = qobject_cast<QLabel *>(widget);
        if (!label || !label->text().contains(QLatin1String("<a ")))
            continue;
        const QString text = label->text();
        label->clear();
        label->setText(text);
    }
}

} // namespace

QString ThemeSetting::name(Choice choice)
{
    switch (choice) {
    case Choice::Light:
        return QStringLiteral("light");
    case Choice::Dark:
        return QStringLiteral("dark");
    case Choice::System:
        break;
    }
    return QStringLiteral("system");
}

ThemeSetting::Choice ThemeSetting::fromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return Choice::Light;
    if (name == QLatin1String("dark"))
        return Choice::Dark;
    return Choice::System;
}

ThemeSetting::Choice ThemeSetting::load(const QSettings &settings)
{
    return fromName(settings.value(QLatin1String(Key)).toString());
}

void ThemeSetting::save(QSettings &settings, Choice choice)
{
    settings.setValue(QLatin1String(Key), name(choice));
    settings.sync();
}

void ThemeSetting::apply(Choice choice)
{
    switch (choice) {
    case Choice::Light:
        QApplication::setPalette(lightPalette());
        break;
    case Choice::Dark:
        QApplication::setPalette(darkPalette());
        break;
    case Choice::System:
        // A palette that sets no colour resolves every role from the platform's, and keeps following it.
        QApplication::setPalette(QPalette());
        break;
    }
    refreshLinks();
}

QPalette ThemeSetting::lightPalette()
{
    QPalette p;
    const QColor window(0xef, 0xf0, 0xf1);
    const QColor text(0x23, 0x26, 0x29);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf7, 0xf8));
    p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xdc));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x6b, 0x70, 0x78));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0xf5, 0xf6, 0xf7));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, Qt::white);
    p.setColor(QPalette::Midlight, QColor(0xe3, 0xe5, 0xe7));
    p.setColor(QPalette::Mid, QColor(0xb8, 0xbc, 0xc1));
    p.setColor(QPalette::Dark, QColor(0x9a, 0x9e, 0xa4));
    p.setColor(QPalette::Shadow, QColor(0x47, 0x4a, 0x4f));
    p.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x1d, 0x63, 0xc8));
    p.setColor(QPalette::LinkVisited, QColor(0x7b, 0x3f, 0xb0));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x9a, 0x9e, 0xa4));
    return p;
}

QPalette ThemeSetting::darkPalette()
{
    QPalette p;
    const QColor window(0x2a, 0x2c, 0x31);
    const QColor base(0x1f, 0x21, 0x25);
    const QColor text(0xe4, 0xe6, 0xeb);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2d));
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8b, 0x90, 0x99));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x33, 0x36, 0x3c));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4f));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x43));
    p.setColor(QPalette::Mid, QColor(0x44, 0x47, 0x4e));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1c));
    p.setColor(QPalette::Shadow, QColor(0x0e, 0x0f, 0x11));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x8c, 0xf0));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x7a, 0x7e, 0x86));
    return p;
}

} // namespace sluice
