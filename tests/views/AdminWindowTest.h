#pragma once

// The base of the views tests that sign in to the embedded demo servers as their admin, through the real login
// dialog: an isolated settings folder, one demo server per generation (built on first use and kept, so the
// functions of one generation's row share it as they once shared a single initTestCase() server), an admin profile
// for each, and the window under test.

#include "GuiTestSupport.h"
#include "ServerFixture.h"

#include "Generations.h"

#include "models/Directory.h"
#include "services/ProfileStore.h"
#include "views/MainWindow.h"

#include <QObject>
#include <QTemporaryDir>

#include <memory>

namespace GuiTest {

class AdminWindowTest : public QObject
{
protected:
    // For the test class's initTestCase(): keeps settings, data and keychain away from the user's.
    bool setUpWindows()
    {
        if (!m_dir.isValid())
            return false;
        isolate(m_dir);
        m_profiles = std::make_unique<ProfileStore>(m_dir.filePath(QStringLiteral("profiles.ini")));
        return true;
    }

    // For cleanup(): drops the window's staged changes and closes it.
    void closeTestWindow() { closeWindow(m_window); }

    ServerFixture& server(const Dialect& generation) { return m_servers.of(generation); }

    // The admin profile of the generation's server.
    static QString profileName(const Dialect& generation)
    {
        return QStringLiteral("demo-") + Generations::rowName(generation);
    }

    // Starts the generation's server when it is the first use and saves its admin profile; false, with the reason
    // as a warning, when either failed.
    bool prepareServer(const Dialect& generation)
    {
        ServerFixture& fixture = server(generation);
        if (!fixture.started()) {
            qWarning("The %s server did not start: %s", qPrintable(Generations::rowName(generation)),
                     qPrintable(fixture.error()));
            return false;
        }
        return saveAdminProfile(*m_profiles, profileName(generation), fixture);
    }

    // Signs in to the generation's server through the login dialog with its profile; the loaded window, or null.
    MainWindow* openWindow(const Dialect& generation)
    {
        if (!prepareServer(generation))
            return nullptr;
        return openProfileWindow(m_profiles.get(), profileName(generation));
    }

    // The id of the experiment `name` in the window's directory; empty when it has none.
    QString experimentId(const QString& name) const
    {
        const int row = m_window->directory()->experimentRowByName(name);
        return row >= 0 ? m_window->directory()->experimentAt(row).id : QString();
    }

    QTemporaryDir m_dir;
    Generations::Fixtures m_servers;
    std::unique_ptr<ProfileStore> m_profiles;
    MainWindow* m_window = nullptr;
};

} // namespace GuiTest
