-- One database per CAP process group (and the web console's sessions), owned by POSTGRES_USER. The postgres image runs this file
-- once, when it initialises an empty data directory. `cap-<service> migrate` also creates its
-- database when it is missing, so a volume initialised before this file existed still works.
-- Idempotent (\gexec only runs the CREATE for a missing database).

SELECT 'CREATE DATABASE cap_gateway' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cap_gateway')\gexec
SELECT 'CREATE DATABASE cap_diagnostic' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cap_diagnostic')\gexec
SELECT 'CREATE DATABASE cap_audit' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cap_audit')\gexec
SELECT 'CREATE DATABASE cap_labelling' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cap_labelling')\gexec
SELECT 'CREATE DATABASE cap_notifications' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cap_notifications')\gexec
SELECT 'CREATE DATABASE cap_web' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cap_web')\gexec
