#pragma once

#include <QDialog>

#include "store/TokenStore.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;
class QWidget;

namespace sluice {

// Gateway tokens kept in the database: the list, a form to create one (its secret shown once, with a copy
// button) and revoke. The running gateway picks changes up within a second.
class TokensDialog : public QDialog
{
    Q_OBJECT
public:
    explicit TokensDialog(const QString &databasePath, QWidget *parent = nullptr);
    ~TokensDialog() override;

    // The secret of the token just created; empty once the dialog closed or another action ran.
    QString shownSecret() const;
    QStandardItemModel *model() const { return m_model; }

public Q_SLOTS:
    void createToken();
    void revokeSelected();
    void copySecret();
    void reload();

private:
    void showMessage(const QString &message, bool error);
    void hideSecret();

    TokenStore m_store;
    QStandardItemModel *m_model;
    QTableView *m_table;
    QLabel *m_message;
    QLineEdit *m_name;
    QLineEdit *m_models;
    QSpinBox *m_rpm;
    QSpinBox *m_tpm;
    QDoubleSpinBox *m_daily;
    QDoubleSpinBox *m_weekly;
    QDoubleSpinBox *m_monthly;
    QWidget *m_secretRow;
    QLineEdit *m_secret;
    QPushButton *m_revoke;
};

} // namespace sluice
