//! The S3 blob store against a real S3-compatible server on loopback (moto,
//! started by the test command; `AIMA_TEST_S3_ENDPOINT`).

use aima_blobs::{BlobError, BlobStore, S3BlobStore, S3Config};
use bytes::Bytes;
use futures::TryStreamExt;

/// The server the test command started, or None (a failure when CI asks).
pub fn endpoint() -> Option<String> {
    match std::env::var("AIMA_TEST_S3_ENDPOINT") {
        Ok(e) if !e.is_empty() => Some(e),
        _ if std::env::var("AIMA_TEST_REQUIRE_S3").as_deref() == Ok("1") => {
            panic!("AIMA_TEST_REQUIRE_S3=1 but AIMA_TEST_S3_ENDPOINT is not set")
        }
        _ => None,
    }
}

async fn store(endpoint: &str, staging: &std::path::Path) -> (S3BlobStore, String) {
    let bucket = format!("aima-{}", uuid::Uuid::new_v4().simple());
    // moto takes an unsigned bucket creation; a real server wants its own tool.
    let r = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("create bucket");
    assert!(r.status().is_success(), "{}", r.status());
    let cfg = S3Config {
        bucket: bucket.clone(),
        prefix: "team/aima".into(),
        endpoint: endpoint.into(),
        region: "us-east-1".into(),
        access_key_id: "test".into(),
        secret_access_key: "test".into(),
        path_style: true,
    };
    let s = S3BlobStore::open(&cfg, staging).await.expect("open");
    s.check().await.expect("bucket answers");
    (s, bucket)
}

#[tokio::test]
async fn blobs_round_trip_through_a_real_s3_server() {
    let Some(endpoint) = endpoint() else {
        eprintln!("no S3 server (AIMA_TEST_S3_ENDPOINT): skipped");
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let (s3, bucket) = store(&endpoint, dir.path()).await;

    s3.put_bytes("artifacts/m1/j1/a.txt", Bytes::from_static(b"hello"))
        .await
        .expect("put");
    assert!(s3.exists("artifacts/m1/j1/a.txt").await.expect("exists"));
    assert_eq!(s3.size("artifacts/m1/j1/a.txt").await.expect("size"), 5);
    let got: Vec<Bytes> = s3
        .stream("artifacts/m1/j1/a.txt")
        .await
        .expect("stream")
        .try_collect()
        .await
        .expect("read");
    assert_eq!(got.concat(), b"hello");

    // A file larger than one part goes up as a multipart upload, from disk.
    let big: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let staged = s3.staging_dir().join("upload.bin");
    std::fs::write(&staged, &big).expect("stage");
    s3.put_file("media/sha256/ab/abcdef", &staged)
        .await
        .expect("multipart put");
    assert!(!staged.exists(), "the staged file is consumed");
    assert_eq!(
        s3.size("media/sha256/ab/abcdef").await.expect("size"),
        big.len() as u64
    );
    {
        let local = s3.local("media/sha256/ab/abcdef").await.expect("download");
        assert_eq!(std::fs::read(local.path()).expect("read"), big);
        assert!(local.path().starts_with(s3.staging_dir()));
    }
    let leftovers: Vec<_> = std::fs::read_dir(s3.staging_dir()).expect("ls").collect();
    assert!(
        leftovers.is_empty(),
        "the download is removed with its guard"
    );

    // The objects sit under the prefix, in the bucket.
    let listing = reqwest::get(format!("{endpoint}/{bucket}?prefix=team/aima/"))
        .await
        .expect("list")
        .text()
        .await
        .expect("body");
    assert!(
        listing.contains("team/aima/media/sha256/ab/abcdef"),
        "{listing}"
    );

    s3.put_bytes("artifacts/m1/j2/b.txt", Bytes::from_static(b"x"))
        .await
        .expect("put");
    s3.delete_prefix("artifacts/m1")
        .await
        .expect("delete prefix");
    assert!(!s3.exists("artifacts/m1/j1/a.txt").await.expect("exists"));
    assert!(!s3.exists("artifacts/m1/j2/b.txt").await.expect("exists"));
    s3.delete("media/sha256/ab/abcdef").await.expect("delete");
    s3.delete("media/sha256/ab/abcdef")
        .await
        .expect("deleting twice is fine");
    assert!(matches!(
        s3.size("media/sha256/ab/abcdef").await,
        Err(BlobError::NotFound(_))
    ));
    assert!(matches!(
        s3.local("media/sha256/ab/none").await,
        Err(BlobError::NotFound(_))
    ));
    assert!(matches!(
        s3.put_bytes("../x", Bytes::new()).await,
        Err(BlobError::InvalidKey(_))
    ));
}

#[tokio::test]
async fn a_missing_bucket_is_a_clear_error() {
    let Some(endpoint) = endpoint() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = S3Config {
        bucket: "no-such-bucket-aima".into(),
        endpoint,
        region: "us-east-1".into(),
        access_key_id: "test".into(),
        secret_access_key: "test".into(),
        path_style: true,
        ..Default::default()
    };
    let s3 = S3BlobStore::open(&cfg, dir.path())
        .await
        .expect("open is lazy");
    let err = s3.check().await.expect_err("no bucket");
    assert!(err.to_string().contains("(bucket)"), "{err}");
}
