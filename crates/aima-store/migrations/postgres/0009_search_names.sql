-- Search also finds media by file name and persons by name (then every face
-- track of the person is a hit): generated tsvectors with GIN indexes, as
-- for insights. Separators (`_`, `-`, `.`) become spaces first (one for one,
-- so offsets into the name hold), or the
-- parser would read `budget_review.mp4` as one file-name token.
ALTER TABLE media ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('aima_search'::regconfig,
        regexp_replace(coalesce(filename, ''), '[^[:alnum:]]', ' ', 'g'))
) STORED;
CREATE INDEX media_search ON media USING GIN (search);
ALTER TABLE persons ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('aima_search'::regconfig, coalesce(name, ''))
) STORED;
CREATE INDEX persons_search ON persons USING GIN (search);
