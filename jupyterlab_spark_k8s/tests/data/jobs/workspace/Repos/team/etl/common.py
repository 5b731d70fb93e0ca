# Databricks notebook source
def orders_path(env, day):
    return f"/Volumes/{env}/raw/orders/{day}"
