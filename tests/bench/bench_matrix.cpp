// `make bench`: the console's time from pressing Connect in the login dialog to a fully painted access matrix, on a
// large server (2,000 users x 20,000 experiments x 50,000 grants by default), and the cost of one repaint after
// scrolling, on `serve --api 2` and on `serve --api 3` (half the grants direct, half through roles), printed side
// by side. The real widgets run on the offscreen platform; the server is `mlflow-admin-cli serve` in its own
// process. Each run checks that the matrix has one row per user and one column per experiment, that a seeded
// grant shows in its cell and, on --api 3, that a cell granted only through a role names the role; it exits 1
// otherwise.

#include "BenchSupport.h"

#include "models/AccessMatrixModel.h"
#include "models/Directory.h"
#include "services/ProfileStore.h"
#include "views/AccessMatrixPage.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"

#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace {

// Issue 3's target for the 2.x server; issue 9 asks 2 s on `serve --api 3`.
double paintedTargetSeconds(Bench::Api api)
{
    return api == Bench::Api::Mlflow3 ? 2.0 : 3.0;
}

// Keeps the benchmark away from the user's settings, staged-change files and keychain.
void isolate(const QTemporaryDir& home)
{
    qputenv("HOME", home.filePath(QStringLiteral("home")).toLocal8Bit());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, home.filePath(QStringLiteral("settings")));
    qputenv("DBUS_SESSION_BUS_ADDRESS", "disabled:");
    const QString runtime = home.filePath(QStringLiteral("runtime"));
    QDir().mkpath(runtime);
    QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    qputenv("XDG_RUNTIME_DIR", runtime.toLocal8Bit());
}

struct PaintTimes
{
    double signedIn = 0; // Connect pressed -> probe done, session handed over
    double loaded = 0;   // -> Directory loaded, models reset
    double painted = 0;  // -> the matrix viewport painted once, completely
    double scrollRepaint = 0;
    double longestStallMs = 0; // the longest the event loop went without running a 1 ms timer, from Connect to paint
};

// Measures how responsive the UI thread stays: the longest gap between two ticks of a 1 ms timer.
class StallMeter
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            m_longest = std::max(m_longest, m_sinceTick.nsecsElapsed() / 1e6);
            m_sinceTick.restart();
        });
        m_sinceTick.start();
        m_timer.start(1);
    }
    double longestMs() const { return m_longest; }

private:
    QTimer m_timer;
    QElapsedTimer m_sinceTick;
    double m_longest = 0;
};

// On --api 3: a cell of user00000 that only their role grants shows the role's level and names the role.
bool checkRoleCell(const MainWindow& window)
{
    const Directory* directory = window.directory();
    const QString username = QStringLiteral("user00000");
    const QList<int> roles = directory->roleRowsOf(username);
    if (roles.isEmpty()) {
        Bench::report(QStringLiteral("user00000 is a member of no role in the loaded directory"));
        return false;
    }
    const DirectoryRole& role = directory->roleAt(roles.first());
    for (const RolePermission& permission : role.role.permissions) {
        if (permission.resourceType != QLatin1String("experiment") ||
            directory->explicitLevel(username, ResourceType::Experiment, permission.resourcePattern))
            continue;
        const EffectivePermission effective =
            directory->effectivePermission(username, ResourceType::Experiment, permission.resourcePattern);
        const QString text = window.matrixPage()->indexFor(username, permission.resourcePattern).data().toString();
        if (effective.source != EffectivePermission::Source::Role || effective.level != permission.level ||
            !effective.reason().contains(role.role.name) || !text.contains(Permissions::name(permission.level))) {
            Bench::report(QStringLiteral("Cell %1 x %2 (through role %3) shows '%4', explained as '%5'")
                              .arg(username, permission.resourcePattern, role.role.name, text, effective.reason()));
            return false;
        }
        return true;
    }
    Bench::report(QStringLiteral("Role %1 grants user00000 nothing they lack a direct grant on").arg(role.role.name));
    return false;
}

bool checkMatrix(const MainWindow& window, const Bench::Scale& scale, Bench::Api api)
{
    const QTableView* view = window.matrixPage()->view();
    const QAbstractItemModel* model = view->model();
    const Directory* directory = window.directory();
    // Users as rows (the default orientation), plus the admin; experiments as columns, plus "Default".
    if (model->rowCount() != scale.users + 1 || model->columnCount() != scale.experiments + 1) {
        Bench::report(QStringLiteral("The matrix is %1 x %2; expected %3 x %4")
                          .arg(model->rowCount())
                          .arg(model->columnCount())
                          .arg(scale.users + 1)
                          .arg(scale.experiments + 1));
        return false;
    }
    // The first seeded user's first grant must show its level in the cell.
    const QString username = directory->userAt(directory->userRow(QStringLiteral("user00000"))).username;
    const QList<Grant> grants = directory->grantsOf(username, ResourceType::Experiment);
    if (scale.grants > 0 && grants.isEmpty()) {
        Bench::report(QStringLiteral("user00000 has no grants in the loaded directory"));
        return false;
    }
    if (!grants.isEmpty()) {
        const QModelIndex cell = window.matrixPage()->indexFor(username, grants.first().resourceId);
        const QString text = cell.data().toString();
        if (!text.contains(Permissions::name(grants.first().level))) {
            Bench::report(QStringLiteral("Cell %1 x %2 shows '%3'").arg(username, grants.first().resourceId, text));
            return false;
        }
    }
    if (api == Bench::Api::Mlflow3 && scale.grants > 1)
        return checkRoleCell(window);
    return true;
}

std::optional<PaintTimes> runOnce(ProfileStore* profiles, const QString& profileName, const Bench::Scale& scale,
                                  Bench::Api api)
{
    PaintTimes times;
    LoginDialog dialog(profiles, nullptr);
    dialog.show();
    dialog.selectProfile(profileName);
    dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit"))->setText(Bench::adminPassword);
    QSignalSpy signedIn(&dialog, &LoginDialog::signedIn);

    QElapsedTimer timer;
    timer.start();
    StallMeter stalls;
    dialog.findChild<QPushButton*>(QStringLiteral("connectButton"))->click();
    if (!Bench::waitUntil([&] { return !signedIn.isEmpty() || !dialog.isConnecting(); }, 60000) || signedIn.isEmpty()) {
        Bench::report(QStringLiteral("Sign-in failed: ") + dialog.messageText());
        return std::nullopt;
    }
    times.signedIn = timer.nsecsElapsed() / 1e9;

    // As app/gui_main.cpp does after sign-in, with the matrix as the page on screen.
    std::unique_ptr<MainWindow> window(new MainWindow(dialog.takeSession()));
    window->resize(1280, 800);
    window->showPage(MainWindow::MatrixPageIndex);
    window->show();
    QSignalSpy finished(window.get(), &MainWindow::loadFinished);
    window->refresh();
    if (!Bench::waitUntil([&] { return !finished.isEmpty(); }, 120000) || !finished.first().first().toBool()) {
        Bench::report(QStringLiteral("The load did not finish: ") + window->statusText());
        return std::nullopt;
    }
    times.loaded = timer.nsecsElapsed() / 1e9;
    // repaint() paints synchronously, so when it returns every visible cell has been drawn.
    QTableView* view = window->matrixPage()->view();
    view->viewport()->repaint();
    times.painted = timer.nsecsElapsed() / 1e9;
    times.longestStallMs = stalls.longestMs();
    if (!checkMatrix(*window, scale, api))
        return std::nullopt;

    // Scrolling: jump to ten places across the matrix and repaint each; the median is one frame's cost.
    QList<double> frames;
    for (int step = 1; step <= 10; ++step) {
        view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum() * step / 10);
        view->horizontalScrollBar()->setValue(view->horizontalScrollBar()->maximum() * (10 - step) / 10);
        QElapsedTimer frame;
        frame.start();
        view->viewport()->repaint();
        frames.append(frame.nsecsElapsed() / 1e6);
    }
    times.scrollRepaint = Bench::median(frames);
    return times;
}

// The medians of one generation's runs.
struct Summary
{
    double signedIn = 0;
    double loaded = 0;
    double painted = 0;
    double frame = 0;
    double stall = 0;
    double peakMiB = 0;
};

std::optional<Summary> runGeneration(const QStringList& arguments, const Bench::Options& options, Bench::Api api,
                                     const QTemporaryDir& temp)
{
    const QString label = Bench::apiLabel(api);
    const QString tag = api == Bench::Api::Mlflow3 ? QStringLiteral("api3") : QStringLiteral("api2");
    const QString dataDir = temp.filePath(QStringLiteral("data-") + tag);
    if (!Bench::seedInChild(dataDir, arguments, options.scale, api))
        return std::nullopt;
    Bench::ServerProcess server(QStringLiteral(MLFLOW_ADMIN_CLI_PATH), dataDir, api);
    if (!server.isRunning()) {
        Bench::report(QStringLiteral("The %1 server did not start: %2").arg(label, server.error()));
        return std::nullopt;
    }

    // A saved profile, as an admin would set it up: with the server's auth database on 2.x (2.15.1 has no
    // users/list); 3.14 lists its users itself.
    ProfileStore profiles(temp.filePath(QStringLiteral("profiles-%1.ini").arg(tag)));
    ServerProfile profile;
    profile.name = QStringLiteral("bench-") + tag;
    profile.url = server.url();
    profile.username = Bench::adminUsername;
    if (api == Bench::Api::Mlflow2) {
        profile.authDatabaseUri =
            QStringLiteral("sqlite:///") + QDir(dataDir).absoluteFilePath(QStringLiteral("basic_auth.db"));
    }
    QString error;
    if (!profiles.save(profile, &error)) {
        Bench::report(error);
        return std::nullopt;
    }

    Bench::resetPeakMemory();
    const double baseline = Bench::procStatusMiB("VmRSS");
    QList<double> signedIn, loaded, painted, frames, stalls;
    for (int run = 0; run < options.runs; ++run) {
        const auto times = runOnce(&profiles, profile.name, options.scale, api);
        if (!times)
            return std::nullopt;
        signedIn.append(times->signedIn);
        loaded.append(times->loaded);
        painted.append(times->painted);
        frames.append(times->scrollRepaint);
        stalls.append(times->longestStallMs);
    }
    Summary summary{Bench::median(signedIn), Bench::median(loaded), Bench::median(painted),
                    Bench::median(frames),   Bench::median(stalls), Bench::procStatusMiB("VmHWM")};
    const double target = paintedTargetSeconds(api);
    Bench::report(QStringLiteral("%1: login to painted matrix (%2 x %3 cells): median %4 s of %5 runs (signed in %6 s, "
                                 "loaded %7 s) (target %8 s: %9)")
                      .arg(label)
                      .arg(options.scale.users + 1)
                      .arg(options.scale.experiments + 1)
                      .arg(summary.painted, 0, 'f', 2)
                      .arg(options.runs)
                      .arg(summary.signedIn, 0, 'f', 3)
                      .arg(summary.loaded, 0, 'f', 2)
                      .arg(target)
                      .arg(summary.painted <= target ? QStringLiteral("met") : QStringLiteral("MISSED")));
    Bench::report(QStringLiteral("%1: longest the UI thread was busy without a break from Connect to painted (the "
                                 "Directory swap, JSON parsing and model resets): median %2 ms")
                      .arg(label)
                      .arg(summary.stall, 0, 'f', 0));
    Bench::report(QStringLiteral("%1: repaint of the matrix after a scroll (1280 x 800 window): median %2 ms")
                      .arg(label)
                      .arg(summary.frame, 0, 'f', 1));
    Bench::report(QStringLiteral("%1: peak resident memory of the console: %2 MiB (%3 MiB before the first login)")
                      .arg(label)
                      .arg(summary.peakMiB, 0, 'f', 0)
                      .arg(baseline, 0, 'f', 0));
    return summary;
}

int runBenchmark(const QStringList& arguments, const Bench::Options& options)
{
    QTemporaryDir temp;
    isolate(temp);
    QList<std::pair<Bench::Api, Summary>> summaries;
    for (const Bench::Api api : options.apis) {
        const auto summary = runGeneration(arguments, options, api, temp);
        if (!summary)
            return 1;
        summaries.append({api, *summary});
    }
    if (summaries.size() < 2)
        return 0;
    // Side by side, one column per generation.
    auto row = [&](const QString& name, auto value) {
        QString line = QStringLiteral("%1").arg(name, -34);
        for (const auto& [api, summary] : summaries)
            line += QStringLiteral(" | %1").arg(value(summary), 12);
        Bench::report(line);
    };
    QString header = QStringLiteral("%1").arg(QStringLiteral("medians"), -34);
    for (const auto& entry : summaries)
        header += QStringLiteral(" | %1").arg(Bench::apiLabel(entry.first), 12);
    Bench::report(header);
    row(QStringLiteral("signed in (s)"), [](const Summary& s) { return QString::number(s.signedIn, 'f', 3); });
    row(QStringLiteral("loaded (s)"), [](const Summary& s) { return QString::number(s.loaded, 'f', 2); });
    row(QStringLiteral("login to painted matrix (s)"),
        [](const Summary& s) { return QString::number(s.painted, 'f', 2); });
    row(QStringLiteral("longest UI stall (ms)"), [](const Summary& s) { return QString::number(s.stall, 'f', 0); });
    row(QStringLiteral("repaint after scroll (ms)"), [](const Summary& s) { return QString::number(s.frame, 'f', 1); });
    row(QStringLiteral("peak resident (MiB)"), [](const Summary& s) { return QString::number(s.peakMiB, 'f', 0); });
    return 0;
}

} // namespace

int main(int argc, char* argv[])
{
    return Bench::main<QApplication>(argc, argv, runBenchmark, {Bench::Api::Mlflow2, Bench::Api::Mlflow3});
}
