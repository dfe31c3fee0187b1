#include "Icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

namespace sluice {

namespace {

// The SVG first, so the icon scales; the PNGs then serve the sizes trays ask for, pixel-exact.
QIcon shippedIcon(const QString &name)
{
    QIcon icon(QStringLiteral(":/icons/%1.svg").arg(name));
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/%1-%2.png").arg(name).arg(size), QSize(size, size));
    return icon;
}

// Draws in a 24×24 design grid, scaled to the pixmap's size.
void paintAction(QPainter &p, Icons::Action action, const QColor &color)
{
    QPen pen(color, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    switch (action) {
    case Icons::Action::Pause:
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawRoundedRect(QRectF(6, 5, 4, 14), 1.2, 1.2);
        p.drawRoundedRect(QRectF(14, 5, 4, 14), 1.2, 1.2);
        break;
    case Icons::Action::Resume: {
        QPainterPath triangle;
        triangle.moveTo(7.5, 5);
        triangle.lineTo(19, 12);
        triangle.lineTo(7.5, 19);
        triangle.closeSubpath();
        p.setPen(QPen(color, 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.setBrush(color);
        p.drawPath(triangle);
        break;
    }
    case Icons::Action::Copy:
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(QRectF(9, 8, 10, 12), 2, 2);
        {
            QPainterPath back;
            back.moveTo(5, 15.5);
            back.lineTo(5, 6);
            back.quadTo(5, 4, 7, 4);
            back.lineTo(15, 4);
            p.drawPath(back);
        }
        break;
    case Icons::Action::Search:
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QPointF(10.5, 10.5), 5.5, 5.5);
        p.drawLine(QPointF(14.5, 14.5), QPointF(19.5, 19.5));
        break;
    case Icons::Action::LiveRequests:
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(QPolygonF(
            {QPointF(3, 13), QPointF(7, 13), QPointF(10, 6), QPointF(14, 19), QPointF(17, 11), QPointF(21, 11)}));
        break;
    case Icons::Action::Routing: // one path splitting in two, each ending at a node
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        {
            QPainterPath split;
            split.moveTo(3, 12);
            split.lineTo(9, 12);
            split.cubicTo(12, 12, 12, 6, 16, 6);
            split.moveTo(9, 12);
            split.cubicTo(12, 12, 12, 18, 16, 18);
            p.drawPath(split);
        }
        p.drawEllipse(QPointF(18.5, 6), 2.5, 2.5);
        p.drawEllipse(QPointF(18.5, 18), 2.5, 2.5);
        break;
    case Icons::Action::Spend: // three bars on a baseline
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawLine(QPointF(3, 20), QPointF(21, 20));
        p.drawRect(QRectF(5, 12, 3.5, 8));
        p.drawRect(QRectF(10.5, 6, 3.5, 14));
        p.drawRect(QRectF(16, 9, 3.5, 11));
        break;
    case Icons::Action::Guardrails: // a shield with a check mark
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        {
            QPainterPath shield;
            shield.moveTo(12, 3);
            shield.lineTo(19.5, 6);
            shield.lineTo(19.5, 11);
            shield.cubicTo(19.5, 16, 16, 19.5, 12, 21);
            shield.cubicTo(8, 19.5, 4.5, 16, 4.5, 11);
            shield.lineTo(4.5, 6);
            shield.closeSubpath();
            p.drawPath(shield);
        }
        p.drawPolyline(QPolygonF({QPointF(8.5, 12), QPointF(11, 14.5), QPointF(15.5, 9.5)}));
        break;
    case Icons::Action::Providers: // a key
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QPointF(7.5, 12), 4, 4);
        p.drawPolyline(QPolygonF({QPointF(11.5, 12), QPointF(21, 12), QPointF(21, 16)}));
        p.drawLine(QPointF(17, 12), QPointF(17, 15));
        break;
    case Icons::Action::Clients: // a terminal prompt
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(QRectF(2.5, 4.5, 19, 15), 2, 2);
        p.drawPolyline(QPolygonF({QPointF(6.5, 9), QPointF(9.5, 12), QPointF(6.5, 15)}));
        p.drawLine(QPointF(11.5, 15), QPointF(16.5, 15));
        break;
    case Icons::Action::Settings: // sliders
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        for (const auto &[y, x] : {std::pair {6.0, 15.0}, std::pair {12.0, 8.0}, std::pair {18.0, 13.0}}) {
            p.drawLine(QPointF(3, y), QPointF(21, y));
            p.setBrush(color);
            p.drawEllipse(QPointF(x, y), 2.2, 2.2);
            p.setBrush(Qt::NoBrush);
        }
        break;
    case Icons::Action::Prompts: // a page of text with a folded corner
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawPolygon(QPolygonF({QPointF(5, 3), QPointF(15, 3), QPointF(19, 7), QPointF(19, 21), QPointF(5, 21)}));
        p.drawLine(QPointF(8, 10), QPointF(16, 10));
        p.drawLine(QPointF(8, 14), QPointF(16, 14));
        p.drawLine(QPointF(8, 18), QPointF(13, 18));
        break;
    case Icons::Action::Compare: // two columns side by side
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(QRectF(3, 4, 7.5, 16), 1.5, 1.5);
        p.drawRoundedRect(QRectF(13.5, 4, 7.5, 16), 1.5, 1.5);
        p.drawLine(QPointF(5, 9), QPointF(8.5, 9));
        p.drawLine(QPointF(15.5, 9), QPointF(19, 9));
        p.drawLine(QPointF(5, 13), QPointF(8.5, 13));
        p.drawLine(QPointF(15.5, 13), QPointF(19, 13));
        break;
    }
}

} // namespace

QIcon Icons::application()
{
    return shippedIcon(QStringLiteral("sluice"));
}

QIcon Icons::applicationPaused()
{
    return shippedIcon(QStringLiteral("sluice-paused"));
}

QIcon Icons::action(Action action, const QPalette &palette)
{
    QIcon icon;
    for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Disabled}) {
        const QColor color = palette.color(group, QPalette::WindowText);
        for (int size : {16, 24, 32, 48}) {
            QPixmap pixmap(size, size);
            pixmap.fill(Qt::transparent);
            QPainter p(&pixmap);
            p.setRenderHint(QPainter::Antialiasing);
            p.scale(size / 24.0, size / 24.0);
            paintAction(p, action, color);
            p.end();
            icon.addPixmap(pixmap, group == QPalette::Disabled ? QIcon::Disabled : QIcon::Normal);
        }
    }
    return icon;
}

} // namespace sluice
