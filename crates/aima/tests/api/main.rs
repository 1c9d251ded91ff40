//! Integration tests over real HTTP on loopback, real databases and real
//! media made by ffmpeg. One test binary, for link time.

mod activity;
mod ask;
mod autoscale;
mod bad_input;
mod capabilities;
mod cli;
mod cluster;
mod contract;
mod crashes;
mod edges;
mod face_search;
mod first_run;
mod hangups;
mod helpers;
mod jobs;
mod language;
mod meaning;
mod media;
mod models;
mod ops;
mod proxy;
mod remote;
mod search;
mod similar;
mod storage;
mod story;
mod team;
mod transcribe;
mod vision;
mod watch;
mod webui;
mod workspaces;
