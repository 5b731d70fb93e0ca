# Databricks notebook source
def shout(text):
    return text.upper() + "!"
