-- Search also finds media by file name and persons by name (then every face
-- track of the person is a hit). FTS5 tables kept by triggers, as for
-- insights; names are indexed with their separators (`_`, `-`, `.`) as
-- spaces, by unicode61.
CREATE VIRTUAL TABLE media_search USING fts5(
    body,
    media_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER media_search_insert AFTER INSERT ON media
WHEN new.filename IS NOT NULL
BEGIN
    INSERT INTO media_search (body, media_id) VALUES (new.filename, new.id);
END;
CREATE TRIGGER media_search_delete AFTER DELETE ON media
BEGIN
    DELETE FROM media_search WHERE media_id = old.id;
END;
INSERT INTO media_search (body, media_id) SELECT filename, id FROM media WHERE filename IS NOT NULL;

CREATE VIRTUAL TABLE person_search USING fts5(
    body,
    person_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER person_search_insert AFTER INSERT ON persons
WHEN new.name IS NOT NULL
BEGIN
    INSERT INTO person_search (body, person_id) VALUES (new.name, new.id);
END;
CREATE TRIGGER person_search_rename AFTER UPDATE OF name ON persons
BEGIN
    DELETE FROM person_search WHERE person_id = old.id;
    INSERT INTO person_search (body, person_id) SELECT new.name, new.id WHERE new.name IS NOT NULL;
END;
CREATE TRIGGER person_search_delete AFTER DELETE ON persons
BEGIN
    DELETE FROM person_search WHERE person_id = old.id;
END;
INSERT INTO person_search (body, person_id) SELECT name, id FROM persons WHERE name IS NOT NULL;
