"""{% load email_html %}: {{ text|email_paragraphs }} and {% email_button url label %}."""

from django import template

from scrubhub.notifications.email_html import link_button, text_as_html

register = template.Library()
register.filter("email_paragraphs", text_as_html)
register.simple_tag(link_button, name="email_button")
