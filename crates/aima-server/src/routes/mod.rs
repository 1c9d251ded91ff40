pub mod activity;
pub mod aw;
pub mod jobs;
pub mod media;
pub mod modes;
pub mod openai;
pub mod system;
pub mod workers;
