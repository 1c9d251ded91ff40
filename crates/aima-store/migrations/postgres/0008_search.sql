-- Full-text search over what insights say (transcript segments, OCR lines)
-- and name (object tracks, CLIP's top label): the text and its tsvector
-- (English stemming; case and accents folded through `unaccent`, a trusted
-- contrib extension) as generated columns with a GIN index, so every way an
-- insight comes or goes keeps the index in step. Where the extension cannot
-- be created (a managed server without contrib, a user without the right),
-- search still works, accent-sensitive, rather than the server not starting.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'unaccent is not available (%): search will not fold accents', SQLERRM;
END
$$;
CREATE TEXT SEARCH CONFIGURATION aima_search (COPY = english);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
        ALTER TEXT SEARCH CONFIGURATION aima_search
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END
$$;

ALTER TABLE insights ADD COLUMN search_body TEXT GENERATED ALWAYS AS (
    CASE kind
        WHEN 'object_track' THEN data::jsonb ->> 'label'
        WHEN 'labels' THEN data::jsonb -> 'labels' -> 0 ->> 'label'
        WHEN 'transcript_segment' THEN data::jsonb ->> 'text'
        WHEN 'text' THEN data::jsonb ->> 'text'
    END
) STORED;
ALTER TABLE insights ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('aima_search'::regconfig, coalesce(
        CASE kind
            WHEN 'object_track' THEN data::jsonb ->> 'label'
            WHEN 'labels' THEN data::jsonb -> 'labels' -> 0 ->> 'label'
            WHEN 'transcript_segment' THEN data::jsonb ->> 'text'
            WHEN 'text' THEN data::jsonb ->> 'text'
        END, ''))
) STORED;
CREATE INDEX insights_search ON insights USING GIN (search);
