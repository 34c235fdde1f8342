-- Revision: 0013
-- Message: users.username_key: the one canonical form of a username (NFKC + case folding), unique
-- Created: 2026-12-04
--
-- Login, registration, the login rate limits and every lookup compared usernames in two ways: SQL
-- lower() under the server's locale and JavaScript's toLowerCase(). They disagree on characters such
-- as U+0130 (İ), so `victİm1` passed the limiter as another name and still found victim1. Now one
-- function (src/accounts/username.ts: NFKC, then full case folding) decides the canonical form, the
-- application stores it in username_key, and lookups and uniqueness use only that column.
--
-- Usernames are ASCII (the application never accepted others), and for ASCII the canonical form is
-- plain a-z lower case: existing rows, and rows inserted by SQL without a key, get exactly that from
-- translate(), whatever the database's locale (lower() would turn I into dotless ı under tr_TR). A
-- row with a non-ASCII username and no key is refused; existing ones (only SQL could have made them)
-- get lower(username), and `tm users` can still find them by that form.

-- migrate:up

ALTER TABLE users ADD COLUMN username_key text;

CREATE FUNCTION users_username_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.username_key IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.username = OLD.username) THEN
        RETURN NEW;
    END IF;
    IF NEW.username !~ '^[ -~]*$' THEN
        RAISE EXCEPTION 'users.username_key must be given for the non-ASCII username %', NEW.username
            USING ERRCODE = 'not_null_violation';
    END IF;
    NEW.username_key := translate(NEW.username, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
    RETURN NEW;
END
$$;

UPDATE users SET username_key = CASE
    WHEN username ~ '^[ -~]*$' THEN translate(username, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
    ELSE lower(username) END;
ALTER TABLE users ALTER COLUMN username_key SET NOT NULL;

CREATE TRIGGER users_username_key BEFORE INSERT OR UPDATE OF username, username_key ON users
    FOR EACH ROW EXECUTE FUNCTION users_username_key();

-- The old index compared lower(username); the name stays, so errors read the same.
DROP INDEX users_username_key;
CREATE UNIQUE INDEX users_username_key ON users (username_key);

-- migrate:down

DROP INDEX users_username_key;
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
DROP TRIGGER users_username_key ON users;
DROP FUNCTION users_username_key();
ALTER TABLE users DROP COLUMN username_key;
