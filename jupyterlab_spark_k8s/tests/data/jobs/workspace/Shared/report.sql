-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Daily report

-- COMMAND ----------

SELECT 1 AS one
