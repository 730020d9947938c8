//! End-to-end scenarios over the real `missive-local` server: real HTTP, real WebSockets.

mod support;

mod audit;
mod bad_input;
mod bots;
mod chat;
mod cors;
mod editing;
mod erasure;
mod exports;
mod fanout;
mod files;
mod groups;
mod identity_provider;
mod member_settings;
mod mentions;
mod moderation;
mod notifications;
mod offboarding;
mod phone_push_services;
mod pins;
mod presence;
mod push;
mod quotas;
mod reactions;
mod reading;
mod retention;
mod search;
mod signals;
mod storefront;
mod sync;
mod threads;
mod web_push_service;
mod webhook_receiver;
mod webhooks;
