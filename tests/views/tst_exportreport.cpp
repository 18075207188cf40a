// GUI tests of File > Export report…: the dialog writes the chosen scope and format (the PDF read back with
// poppler's pdftotext), keeps its choices and says what went wrong when the file cannot be written, on both
// generations (embedded MLflow 2.15.1 and 3.14 demo servers over loopback, signed in through the real login dialog).

#include "AdminWindowTest.h"
#include "GuiTestSupport.h"

#include "Generations.h"

#include "views/ExportReportDialog.h"
#include "views/MainWindow.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>

class TestExportReport : public GuiTest::AdminWindowTest
{
    Q_OBJECT

private:
    ExportReportDialog* openDialog()
    {
        m_window->exportReportAction()->trigger();
        return m_window->findChild<ExportReportDialog*>(QStringLiteral("exportReportDialog"));
    }

    static QString pdfText(const QString& path)
    {
        QProcess process;
        process.start(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), path, QStringLiteral("-")});
        if (!process.waitForFinished(30000) || process.exitCode() != 0)
            return QStringLiteral("pdftotext failed: ") + QString::fromUtf8(process.readAllStandardError());
        return QString::fromUtf8(process.readAllStandardOutput());
    }

private slots:
    void initTestCase() { QVERIFY(setUpWindows()); }
    void cleanup() { closeTestWindow(); }

    void oneExperimentAsPdf_data() { Generations::addRows(); }
    void oneExperimentAsPdf()
    {
        QFETCH(Dialect, generation);
        m_window = openWindow(generation);
        QVERIFY(m_window);
        ExportReportDialog* dialog = openDialog();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        // Every experiment of the window is offered by name.
        dialog->scopeKindCombo()->setCurrentIndex(2);
        QVERIFY(dialog->scopeNameCombo()->findText(QStringLiteral("/user2/experiment1")) >= 0);
        QVERIFY(dialog->scopeNameCombo()->findText(QStringLiteral("/user1/experiment2")) >= 0);
        dialog->scopeNameCombo()->setCurrentText(QStringLiteral("/user2/experiment1"));
        dialog->setFormat(ReportFormat::Pdf);
        const QString path =
            m_dir.filePath(QStringLiteral("export-") + Generations::rowName(generation) + QStringLiteral(".pdf"));
        dialog->setPath(path);
        QSignalSpy exported(dialog, &ExportReportDialog::exported);
        QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
        QCOMPARE(exported.count(), 1);
        QVERIFY(QFile::exists(path));
        const QString text = pdfText(path);
        QVERIFY2(text.contains(QStringLiteral("experiment /user2/experiment1")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("user2")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("/user1/experiment1")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("MANAGE")), qPrintable(text));
    }

    // Changing the format changes the file's suffix; JSON of everything names every user.
    void formatFollowsTheFile()
    {
        m_window = openWindow(Generations::mlflow3());
        QVERIFY(m_window);
        ExportReportDialog* dialog = openDialog();
        QVERIFY(dialog);
        dialog->setPath(m_dir.filePath(QStringLiteral("everything.pdf")));
        dialog->setFormat(ReportFormat::Json);
        QVERIFY2(dialog->path().endsWith(QStringLiteral("everything.json")), qPrintable(dialog->path()));
        QVERIFY(dialog->exportReport());
        QFile file(dialog->path());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(report.value(QStringLiteral("format")).toString(), QStringLiteral("mlflow-admin-report"));
        QCOMPARE(report.value(QStringLiteral("generation")).toString(), QStringLiteral("rbac"));
        QVERIFY(report.value(QStringLiteral("summary")).toObject().value(QStringLiteral("users")).toInt() >= 3);
    }

    // A file that cannot be written, or a scope without a name: said in the dialog, which stays open with the
    // choices as they were.
    void failuresStayInTheDialog()
    {
        m_window = openWindow(Generations::mlflow2());
        QVERIFY(m_window);
        ExportReportDialog* dialog = openDialog();
        QVERIFY(dialog);
        dialog->scopeKindCombo()->setCurrentIndex(1);
        dialog->scopeNameCombo()->setCurrentText(QStringLiteral("user1"));
        const QString unwritable = m_dir.filePath(QStringLiteral("no-such-folder/report.html"));
        dialog->setFormat(ReportFormat::Html);
        dialog->setPath(unwritable);
        QVERIFY(!dialog->exportReport());
        QVERIFY(dialog->isVisible());
        QVERIFY2(!dialog->errorText().isEmpty(), "no error shown");
        QCOMPARE(dialog->scope().name, QStringLiteral("user1"));
        QCOMPARE(dialog->path(), unwritable);

        dialog->scopeNameCombo()->setCurrentText(QStringLiteral("nobody-here"));
        dialog->setPath(m_dir.filePath(QStringLiteral("nobody.html")));
        QVERIFY(!dialog->exportReport());
        QVERIFY2(dialog->errorText().contains(QStringLiteral("nobody-here")), qPrintable(dialog->errorText()));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("nobody.html"))));
    }
};

QTEST_MAIN(TestExportReport)
#include "tst_exportreport.moc"
