// Build-time tool: renders the application's SVG icon to the PNG sizes of the hicolor icon theme, for desktops and
// software centres that do not read SVG. Usage: render-icons SVG OUTPUT_DIR SIZE... (writes OUTPUT_DIR/SIZE.png).

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char* argv[])
{
    // No display is needed to paint into an image; the offscreen platform keeps the tool usable on build machines.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    if (arguments.size() < 4) {
        std::fputs("usage: render-icons SVG OUTPUT_DIR SIZE...\n", stderr);
        return 2;
    }
    QSvgRenderer renderer(arguments.at(1));
    if (!renderer.isValid()) {
        std::fprintf(stderr, "render-icons: %s is not a valid SVG file.\n", qPrintable(arguments.at(1)));
        return 1;
    }
    for (qsizetype i = 3; i < arguments.size(); ++i) {
        bool ok = false;
        const int size = arguments.at(i).toInt(&ok);
        if (!ok || size <= 0 || size > 4096) {
            std::fprintf(stderr, "render-icons: %s is not an icon size.\n", qPrintable(arguments.at(i)));
            return 2;
        }
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer.render(&painter);
        }
        const QString path = arguments.at(2) + QStringLiteral("/%1.png").arg(size);
        if (!image.save(path, "PNG")) {
            std::fprintf(stderr, "render-icons: cannot write %s.\n", qPrintable(path));
            return 1;
        }
    }
    return 0;
}
