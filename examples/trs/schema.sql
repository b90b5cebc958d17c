-- TRS source schema (MySQL 8 / Aurora MySQL 3 / MariaDB 10.6+).
--
-- Every table has `updated_at` DATETIME(6), indexed: incremental extracts
-- read rows by an `updated_at` watermark. All instants are UTC wall-clock
-- values with microseconds. Prices live in `skus` only and the source keeps
-- only the current one: a line item's amount is quantity x the SKU's
-- retail price in force when its invoice was issued, and that history is
-- learned by observing `skus.updated_at` across extracts.
--
-- Statements end with ';' at the end of a line (the loader splits on that).

CREATE TABLE accounts (
  account_id    BIGINT       NOT NULL AUTO_INCREMENT,
  company_name  VARCHAR(255) NOT NULL,
  contact_email VARCHAR(254) NOT NULL,
  created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (account_id),
  KEY idx_accounts_created_at (created_at),
  KEY idx_accounts_updated_at (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE skus (
  sku_id           BIGINT        NOT NULL AUTO_INCREMENT,
  item_name        VARCHAR(255)  NOT NULL,
  item_description TEXT          NULL,
  category         ENUM('listing', 'subscription', 'advertising', 'data', 'services', 'hardware') NOT NULL,
  retail_price     DECIMAL(12,2) NOT NULL,
  updated_at       DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (sku_id),
  UNIQUE KEY uq_skus_item_name (item_name),
  KEY idx_skus_category (category),
  KEY idx_skus_updated_at (updated_at),
  CONSTRAINT chk_skus_retail_price CHECK (retail_price >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoices (
  invoice_id BIGINT      NOT NULL AUTO_INCREMENT,
  account_id BIGINT      NOT NULL,
  issued_at  DATETIME(6) NOT NULL,
  paid_at    DATETIME(6) NULL DEFAULT NULL,
  status     ENUM('open', 'paid', 'void') NOT NULL DEFAULT 'open',
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (invoice_id),
  KEY idx_invoices_account_issued (account_id, issued_at),
  KEY idx_invoices_issued_at (issued_at),
  KEY idx_invoices_updated_at (updated_at),
  CONSTRAINT fk_invoices_account FOREIGN KEY (account_id) REFERENCES accounts (account_id),
  CONSTRAINT chk_invoices_paid CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
  CONSTRAINT chk_invoices_paid_after_issue CHECK (paid_at IS NULL OR paid_at > issued_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoice_line_items (
  line_item_id BIGINT      NOT NULL AUTO_INCREMENT,
  invoice_id   BIGINT      NOT NULL,
  sku_id       BIGINT      NOT NULL,
  quantity     INT         NOT NULL,
  updated_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (line_item_id),
  KEY idx_line_items_invoice (invoice_id),
  KEY idx_line_items_sku (sku_id),
  KEY idx_line_items_updated_at (updated_at),
  CONSTRAINT fk_line_items_invoice FOREIGN KEY (invoice_id) REFERENCES invoices (invoice_id),
  CONSTRAINT fk_line_items_sku FOREIGN KEY (sku_id) REFERENCES skus (sku_id),
  CONSTRAINT chk_line_items_quantity CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
