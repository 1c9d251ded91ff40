-- Full-text search over what insights say (transcript segments, OCR lines)
-- and name (object tracks, CLIP's top label): an FTS5 index (porter
-- stemming; case and accents folded) kept by triggers, so every way an
-- insight comes or goes (a job, a re-analysis replacing it, its media
-- deleted) keeps the index in step. The insight's id is the row id.
CREATE VIRTUAL TABLE insight_search USING fts5(
    body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER insight_search_insert AFTER INSERT ON insights
WHEN new.kind IN ('transcript_segment', 'text', 'object_track', 'labels')
BEGIN
    INSERT INTO insight_search (rowid, body) VALUES (
        new.id,
        CASE new.kind
            WHEN 'object_track' THEN json_extract(new.data, '$.label')
            WHEN 'labels' THEN json_extract(new.data, '$.labels[0].label')
            ELSE json_extract(new.data, '$.text')
        END
    );
END;

CREATE TRIGGER insight_search_delete AFTER DELETE ON insights
BEGIN
    DELETE FROM insight_search WHERE rowid = old.id;
END;

INSERT INTO insight_search (rowid, body)
SELECT id,
    CASE kind
        WHEN 'object_track' THEN json_extract(data, '$.label')
        WHEN 'labels' THEN json_extract(data, '$.labels[0].label')
        ELSE json_extract(data, '$.text')
    END
FROM insights
WHERE kind IN ('transcript_segment', 'text', 'object_track', 'labels');
